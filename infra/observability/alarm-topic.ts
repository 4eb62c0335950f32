import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  readonly topicName: string;
  readonly keyAlias: string;
  /** Subscribed by e-mail (SNS mails a confirmation link first). */
  readonly email: string | undefined;
}

/**
 * Where every alarm goes: an SNS topic encrypted with a key of its own (CloudWatch cannot
 * publish to a topic under the AWS-managed SNS key) that refuses publishers without TLS.
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);

    this.key = new Key(this, 'Key', {
      alias: props.keyAlias,
      description: `Encrypts the alarm notifications of ${props.topicName}`,
      enableKeyRotation: true,
      // Nothing stays encrypted under it (SNS deletes messages once delivered).
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.topic = new Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: props.topicName,
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.email) {
      const subscription = new EmailSubscription(props.email);
      this.topic.addSubscription(subscription);
      Validations.of(this.topic).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'The only subscription is an operator e-mail address. A notification SNS could not hand ' +
          'to its e-mail service is not worth replaying later: the alarm itself stays in ALARM, with ' +
          'its history, in CloudWatch, which is where the operator looks.',
      });
    }
  }
}
