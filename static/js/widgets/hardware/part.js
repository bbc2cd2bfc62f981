// One part of the hardware widget (batching, shrinking): it reads its own elements inside
// the widget's root, and asks the widget for the trained model it shares with the others.
export class HardwarePart {
  // host: the hardware widget (root, lesson, ensureTrained()).
  constructor(host) {
    this.host = host;
  }

  el(role) {
    return this.host.root.querySelector(`[data-role=${role}]`);
  }
}
