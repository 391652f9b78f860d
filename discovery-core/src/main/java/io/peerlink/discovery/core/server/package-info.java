/**
 * Serving the query channel: {@link io.peerlink.discovery.core.server.Responder} answers each
 * request from a {@link io.peerlink.discovery.core.server.MasterState} the application implements,
 * in order, with every failure an {@code error} answer. The call table, the answer ordering and
 * the error tally are package-private.
 */
package io.peerlink.discovery.core.server;
