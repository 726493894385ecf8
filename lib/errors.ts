/**
 * The base of the lab's own errors. Their messages say what to do, so a kernel or
 * a terminal shows them as one line (`Name: message`) and not as a stack dump:
 * Node's console and tslab print errors through `util.inspect`, which asks this.
 */
export class LabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `${this.name}: ${this.message}`;
  }
}
