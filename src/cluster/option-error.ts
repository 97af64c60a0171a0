// Bad cluster options a user can fix (an impossible node count, sync settings on the wrong topology): the CLI
// turns a ClusterOptionError into a usage error (exit 64), naming the experiment when there is one.
export class ClusterOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterOptionError';
  }
}
