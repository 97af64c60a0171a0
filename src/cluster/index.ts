// Public entry of src/cluster: start real PostgreSQL clusters in a topology, every link through a proxy.
export { startCluster, withCluster } from './cluster.js';
export { ClusterOptionError, defaultRunBase } from './options.js';
export { WAN_PREFIX } from './links.js';
export { PUBLICATION, subscriptionName } from './logical.js';
export { TOPOLOGIES, TOPOLOGY_NAMES, findTopology } from './topology/index.js';
export * from './types.js';
