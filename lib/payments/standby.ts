/**
 * How every "standing by" reason of a payment consumer begins (lib/payments/seats.ts): the queue page
 * and the pipeline watcher tell a consumer standing by for a seat from one paused by an operator by it.
 * Its own module, free of Node's APIs, because the queue page's client code imports it.
 */
export const STANDING_BY = "standing by";
