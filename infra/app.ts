// `cdk synth` / `cdk deploy` entry point (see cdk.json). Settings come from CDK context.
import { createServiceApp } from './service-app.js';

createServiceApp().app.synth();
