/**
 * `rdsguard/cdk`: the same rules inside `cdk synth`, two ways. The policy-validation plugin
 * (RdsGuardValidationPlugin) judges the synthesized templates of every stack of the App, Stages included, and
 * returns the CDK's validation report; the Aspect (RdsGuardAspect) judges each stack it reaches and annotates the
 * constructs. aws-cdk-lib and constructs are peer dependencies: only this entry imports them.
 */
export {
  type AnnotatedFinding,
  type AnnotationLevel,
  addRdsGuardWaiver,
  annotationLevels,
  DEFAULT_ANNOTATION_LEVELS,
  DEFAULT_CDK_FAIL_ON,
  RdsGuardAspect,
  type RdsGuardAspectOptions,
  type RdsGuardWaiver,
} from "./aspect.js";
export {
  RdsGuardValidationPlugin,
  type RdsGuardValidationPluginOptions,
  type RdsGuardValidationReport,
  type RdsGuardViolatingResource,
  type RdsGuardViolation,
} from "./plugin.js";
