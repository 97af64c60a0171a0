// The lab's plan, pure: for N hosts on S sites, the names faultline owns on this machine (bridge, network
// namespaces, veths), each host's address in a private /24, and the lab directory's layout.
export interface LabHostPlan {
  name: string;
  site: string;
  /** network namespace (ip netns) */
  netns: string;
  /** the veth's end on the bridge (the other end is eth0 inside the namespace) */
  veth: string;
  address: string;
  /** the host's own directory in the lab directory (sshd config, host key, log, scratch/) */
  dir: string;
  scratch: string;
}

export interface LabPlan {
  /** the lab's name: a prefix of every name it owns */
  name: string;
  dir: string;
  bridge: string;
  /** the bridge's address: how this machine (the control node) reaches the hosts */
  controlAddress: string;
  subnet: string;
  prefixLength: 24;
  hosts: LabHostPlan[];
}

export const DEFAULT_LAB = 'flab';
export const DEFAULT_SUBNET = '10.77.0.0/24';
export const MAX_HOSTS = 32;

export class LabPlanError extends Error {}

/** The lab directory for a lab name: /run/faultline-lab/NAME (tmpfs on most systems; gone at reboot, like namespaces). */
export function defaultLabDir(name: string): string {
  return `/run/faultline-lab/${name}`;
}

/** Names a lab owns, as patterns (for `lab down`'s sweep after a crash). */
export function ownedNames(name: string): { bridge: string; netns: RegExp; veth: RegExp } {
  return { bridge: `${name}0`, netns: new RegExp(`^${name}-n[0-9]+$`), veth: new RegExp(`^${name}v[0-9]+$`) };
}

/** Round-robin sites a, b, c… (as faultline's one-machine clusters assign them). */
export function labSite(i: number, sites: number): string {
  return String.fromCharCode(97 + (i % sites));
}

export function planLab(opts: { name?: string; hosts: number; sites?: number; subnet?: string; dir?: string }): LabPlan {
  const name = opts.name ?? DEFAULT_LAB;
  if (!/^[a-z][a-z0-9]{0,7}$/.test(name)) throw new LabPlanError(`--name must be 1 to 8 lower-case letters and digits, starting with a letter; got ${JSON.stringify(name)}`);
  const n = opts.hosts;
  if (!Number.isInteger(n) || n < 1 || n > MAX_HOSTS) throw new LabPlanError(`--hosts must be an integer from 1 to ${MAX_HOSTS}; got ${n}`);
  const sites = opts.sites ?? 1;
  if (!Number.isInteger(sites) || sites < 1 || sites > 26) throw new LabPlanError(`--sites must be an integer from 1 to 26; got ${sites}`);
  if (sites > n) throw new LabPlanError(`--sites ${sites} needs at least ${sites} hosts (one per site); got ${n}`);
  const subnet = opts.subnet ?? DEFAULT_SUBNET;
  const m = /^(10|172|192)\.([0-9]{1,3})\.([0-9]{1,3})\.0\/24$/.exec(subnet);
  const octets = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
  const privateRange = octets !== null && octets.every((o) => o <= 255) && (octets[0] === 10 || (octets[0] === 172 && octets[1] >= 16 && octets[1] <= 31) || (octets[0] === 192 && octets[1] === 168));
  if (!octets || !privateRange) throw new LabPlanError(`--subnet must be a private /24 such as 10.77.0.0/24; got ${JSON.stringify(subnet)}`);
  const base = octets.join('.');
  const dir = opts.dir ?? defaultLabDir(name);
  const hosts: LabHostPlan[] = Array.from({ length: n }, (_, i) => {
    const host = `n${i + 1}`;
    return {
      name: host,
      site: labSite(i, sites),
      netns: `${name}-${host}`,
      veth: `${name}v${i + 1}`,
      address: `${base}.${11 + i}`,
      dir: `${dir}/${host}`,
      scratch: `${dir}/${host}/scratch`,
    };
  });
  return { name, dir, bridge: `${name}0`, controlAddress: `${base}.1`, subnet, prefixLength: 24, hosts };
}
