import type { MqttClient } from 'mqtt';

interface AckPacket {
  cmd: string;
  messageId?: number;
}
type SendPacket = (packet: AckPacket, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

/**
 * Holds the client's QoS 1 PUBACKs until the readings of their messages are committed, without
 * one transaction per message.
 *
 * mqtt.js (5.16, lib/handlers/publish.js) handles one PUBLISH at a time: it calls handleMessage,
 * and only from the PUBACK write's callback does it go on to the next packet. Delaying
 * handleMessage's callback until the commit would therefore hand over one message per commit
 * (the ~250 µs single-row commit that capped the first version at 30-40 k metrics/s).
 * `customHandleAcks` has the same chain and exists only for MQTT 5 (the embedded broker speaks
 * 3.1.1). So the PUBACK itself is held here: its write is reported done at once (mqtt.js goes on
 * to the next packet of the same TCP read, whose readings join the same group), and the held
 * PUBACKs go out, in the order their PUBLISHes came, when `release` is called after the commit.
 *
 * This wraps mqtt.js's private `_sendPacket` (checked against 5.16.0, pinned in package.json);
 * test/server/field-mqtt-crash.test.ts fails if an upgrade changes the path the acks take.
 */
export class AcksAfterCommit {
  private held: AckPacket[] = [];
  /** the connection the held acks belong to: message ids mean nothing on another one */
  private heldOn: unknown;
  private readonly send: SendPacket;

  constructor(
    private readonly client: MqttClient,
    /** called when an ack is held, so the owner commits soon (the acks wait for it) */
    private readonly onHeld: () => void,
  ) {
    const target = client as unknown as { _sendPacket: SendPacket };
    if (typeof target._sendPacket !== 'function') throw new Error('mqtt.js has no _sendPacket: acks after commit need updating for this version');
    this.send = target._sendPacket.bind(client);
    target._sendPacket = (packet, cb, ...rest) => {
      if (packet.cmd !== 'puback' || !client.connected) return this.send(packet, cb, ...rest);
      if (this.heldOn !== client.stream) this.held = [];
      this.heldOn = client.stream;
      this.held.push(packet);
      this.onHeld();
      cb?.();
    };
  }

  /** After the commit: acknowledges every held message (on the connection they came on). */
  release(): void {
    const acks = this.held;
    this.held = [];
    // After a reconnect the broker redelivers what was not acknowledged; an old id on the new
    // connection could acknowledge some other message.
    if (!acks.length || this.heldOn !== this.client.stream || !this.client.connected) return;
    for (const ack of acks) this.send(ack);
  }

  /**
   * The commit failed: the held messages stay unacknowledged. The connection is dropped so the
   * broker delivers them again on the reconnect (a persistent session keeps them), instead of
   * them waiting unacknowledged on a connection that carries on.
   */
  drop(): void {
    const had = this.held.length > 0;
    this.held = [];
    if (had && this.client.connected) this.client.stream.destroy();
  }
}
