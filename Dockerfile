# syntax=docker/dockerfile:1
# The Lambda image: a build stage bundles the service, the final stage holds the bundle only.
# Build from the repository root (CDK does: DockerImageCode.fromImageAsset in infra/).

# ---- build: the same commands the entry-point test runs (npm ci, npm run build) ----
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# aws-lambda-ric is a test-only dependency that compiles curl from source (it needs cmake);
# the Lambda base image below ships its own runtime client, so its install scripts are skipped.
# allowScripts is enforced from npm 11.19 on: pin the npm that reads it, whatever the image has.
RUN npm install -g npm@11.19.1 --no-audit --no-fund \
 && npm pkg set allowScripts.aws-lambda-ric=false --json \
 && npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY schema ./schema
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# ---- runtime: AWS's Node.js 24 Lambda base image, pinned to a dated release ----
# To pin the exact bytes, replace the tag by its digest (see README, "Deploy to AWS").
FROM public.ecr.aws/lambda/nodejs:24.2026.09.24.14
ENV NODE_ENV=production
# One CommonJS file (every dependency inlined), its package.json and the static IDE/docs
# assets: no node_modules. Files stay root-owned and read-only for the function: Lambda runs
# the image as its own unprivileged user, so no USER is set here.
COPY --from=build /app/dist/ ${LAMBDA_TASK_ROOT}/
# V8's code cache of the bundle, made here by the image's own Node for the flags Lambda's
# bootstrap starts it with (--expose-gc) and for none: every cold start then skips compiling
# the bundle, reading the cache from read-only /var/task. Loading the module is enough to make
# it; that loading fails without the function's configuration is expected and ignored.
ENV NODE_COMPILE_CACHE=${LAMBDA_TASK_ROOT}/.node-compile-cache
RUN for flags in "" "--expose-gc"; do node $flags -e "try { require('${LAMBDA_TASK_ROOT}/index.js') } catch {}"; done && chmod -R a+rX "${NODE_COMPILE_CACHE}"
CMD ["index.handler"]
