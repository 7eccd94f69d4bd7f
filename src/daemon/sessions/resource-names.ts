// Resource names in a store several coordinators share: each coordinator's own boards and slots carry its name
// (`lab-a/virtual-1`), so two coordinators' `virtual-1` are two resources; alone, a daemon's names are as they were.

export class ResourceNames {
  constructor(readonly coordinator: string | null) {}

  /** The store's name for one of this daemon's resources. */
  qualify(local: string): string {
    return this.coordinator ? `${this.coordinator}/${local}` : local;
  }

  /** This daemon's own name for a resource the store holds (unchanged when it is not one of its own). */
  local(resource: string): string {
    const prefix = `${this.coordinator}/`;
    return this.coordinator && resource.startsWith(prefix) ? resource.slice(prefix.length) : resource;
  }

  /** Whether the store's resource is one of this daemon's. */
  owns(resource: string): boolean {
    return !this.coordinator || resource.startsWith(`${this.coordinator}/`);
  }
}
