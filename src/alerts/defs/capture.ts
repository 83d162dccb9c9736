/** Alerts of capture (ids 9000-9099). */
import type { AlertDefinition } from '../catalogue.js';

export const CAPTURE_ALERTS: readonly AlertDefinition[] = [
  {
    code: 'capture.loss',
    id: 9000,
    severity: 'medium',
    title: 'Capture losing frames: the sensor is not seeing all the traffic',
    trigger:
      'Between two health messages, a live source lost more than capture.loss_alert_share (default 0.001, one frame in a thousand) of the frames offered to it: libpcap\'s "dropped by kernel" (the capture ring buffer was full because the sensor did not read fast enough) plus "dropped by interface" (the adapter or its driver dropped them). The alert carries the window\'s received and dropped counts and the share; the health stream counts every drop (source.<name>.dropped_kernel, source.<name>.dropped_iface) whether or not it alerts.',
    guidance:
      'Until it stops, any absence of an alert or a device on this source is not evidence of absence. Check the sensor\'s CPU load and the traffic rate in the health stream: a SPAN port carrying more than the ward (a whole distribution switch, both directions of a busy uplink) is the usual cause, so narrow the mirror or the capture filter. Kernel drops in bursts point to a slow or overloaded sensor (move to a faster one, or give the capture its own core); interface drops point to the adapter (use a USB 3 port and a supported chipset, see the operations guide).',
  },
];
