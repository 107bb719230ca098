// Undo and redo: a stack of steps, each a list of object states before and after.

/**
 * @template S the state of one object
 * @typedef {{target: any, before: S, after: S}} Change
 */

/**
 * @template S
 * @typedef {{label: string, changes: Change<S>[]}} Step
 */

/**
 * Undo/redo history. It does not know what objects are: ``apply(target, state)`` (given to the
 * constructor) puts a target into a recorded state.
 * @template S
 */
export class History {
  /**
   * @param {(target: any, state: S) => void} apply
   * @param {number} [limit] the oldest steps are dropped beyond this many
   */
  constructor(apply, limit = 300) {
    this.apply = apply;
    this.limit = limit;
    /** @type {Step<S>[]} */
    this.undoStack = [];
    /** @type {Step<S>[]} */
    this.redoStack = [];
  }

  /**
   * Record a step that has already been applied; it clears what could be redone.
   * @param {string} label
   * @param {Change<S>[]} changes
   */
  record(label, changes) {
    if (!changes.length) return;
    this.undoStack.push({ label, changes });
    if (this.undoStack.length > this.limit) this.undoStack.shift();
    this.redoStack = [];
  }

  get canUndo() {
    return this.undoStack.length > 0;
  }

  get canRedo() {
    return this.redoStack.length > 0;
  }

  /** @returns {Step<S> | null} the step undone */
  undo() {
    const step = this.undoStack.pop();
    if (!step) return null;
    for (let i = step.changes.length - 1; i >= 0; i -= 1) this.apply(step.changes[i].target, step.changes[i].before);
    this.redoStack.push(step);
    return step;
  }

  /** @returns {Step<S> | null} the step redone */
  redo() {
    const step = this.redoStack.pop();
    if (!step) return null;
    for (const change of step.changes) this.apply(change.target, change.after);
    this.undoStack.push(step);
    return step;
  }

  clear() {
    this.undoStack = [];
    this.redoStack = [];
  }
}
