import { IgnoreMode } from 'aws-cdk-lib';
import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { DockerImageCode } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** The handler exports of dist/index.js (the Dockerfile's CMD names the first). */
export type HandlerName = 'index.handler' | 'index.websocketHandler' | 'index.streamHandler';

export interface ServiceImageProps {
  /** The directory holding the Dockerfile: the image's build context. */
  readonly directory: string;
}

/**
 * The one container image every function runs: built and pushed once per deploy, each function
 * choosing its handler export by the image's CMD.
 */
export class ServiceImage extends Construct {
  readonly asset: DockerImageAsset;

  constructor(scope: Construct, id: string, props: ServiceImageProps) {
    super(scope, id);
    this.asset = new DockerImageAsset(this, 'Asset', {
      directory: props.directory,
      file: 'Dockerfile',
      // The functions run on x86_64; build for it even on an ARM laptop.
      platform: Platform.LINUX_AMD64,
      // .dockerignore (an allowlist) is read too; these keep staging fast if it ever loosens.
      ignoreMode: IgnoreMode.DOCKER,
      exclude: ['node_modules', '.git', '.data', 'cdk.out', 'dist', 'build', 'coverage'],
    });
  }

  /** The image with `handler` as its CMD. */
  code(handler: HandlerName): DockerImageCode {
    return DockerImageCode.fromEcr(this.asset.repository, {
      tagOrDigest: this.asset.imageTag,
      cmd: [handler],
    });
  }
}
