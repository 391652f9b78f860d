package io.peerlink.transport.api;

/**
 * Who is on the other end of a local (Unix domain socket) connection, as the kernel reports it.
 *
 * @param pid the peer's process id, or -1 when the platform does not report it
 * @param uid the peer's user id
 * @param gid the peer's primary group id
 */
public record PeerCredentials(long pid, long uid, long gid) {
}
