// The floor of `npm run bench`: the least any CDKTF synthesis can take here.
// A one-resource CDKTF app as plain JavaScript under node: load cdktf and two
// provider classes, build one stack, synthesize it. Nothing else.
"use strict";
const { App, TerraformStack } = require("cdktf");
const { AwsProvider } = require("@cdktf/provider-aws/lib/provider");
const { Vpc } = require("@cdktf/provider-aws/lib/vpc");

const app = new App({ outdir: process.argv[2] });
const stack = new TerraformStack(app, "floor");
new AwsProvider(stack, "aws", { region: "us-west-1" });
new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
app.synth();
