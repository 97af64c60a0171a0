// Workloads as property tests: declare what clients do and which faults may strike, state the property, and
// let fast-check search fault schedules and shrink a failure to the smallest one (see docs/property-tests.md).
export {
  clusterShape,
  concurrency,
  faultPlan,
  opMix,
  partitions,
  scenario,
  targets,
  type ClusterShape,
  type FaultPlanOptions,
  type OpMix,
  type Scenario,
  type ScenarioOptions,
} from './arbitraries.js';
export { caseOptions, type ExperimentSettings, type WorkloadFactory } from './case-options.js';
export { checkProperty, slug, type PropertySpec } from './check.js';
export { PROPERTY_DEFAULTS, propertyEnv, propertyTimeS, type PropertyEnv } from './env.js';
export { describePlan, formatCase, formatReport } from './format.js';
export {
  PropertyMisuse,
  allOf,
  checkerValid,
  countersWithinBounds,
  linearizable,
  noLostWrites,
  property,
  valid,
  type RunProperty,
  type Verdict,
} from './predicates.js';
export type { CaseRun, PropertyReport } from './report.js';
export { assertProperty, propertyTest, propertyTimeoutMs } from './vitest.js';
export type { FaultStep } from '../../nemesis/schedule.js';
export type { RunOutcome } from '../runner/config.js';
export type { Db, GenContext, Workload, WorkloadOp, WorkloadOptions } from '../../workloads/types.js';
