/**
 * The typed client of one master over the query channel: {@link
 * io.peerlink.discovery.core.client.MasterClient}, the answer it reads for a status ({@link
 * io.peerlink.discovery.core.client.MasterStatus}) and the master's {@code error} answer as an
 * exception ({@link io.peerlink.discovery.core.client.MasterErrorException}). It shares only the
 * protocol with the server side.
 */
package io.peerlink.discovery.core.client;
