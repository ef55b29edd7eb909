export * from "./artifacts-bucket";
export * from "./container-registry";
export * from "./efs-access-policy";
export * from "./efs-share";
export * from "./fargate-web-service";
export * from "./network";
export * from "./service-autoscaling";
export * from "./service-role";
