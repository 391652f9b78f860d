package io.peerlink.transport.api;

import java.nio.channels.SocketChannel;

/**
 * A connection whose inbound frames are read by the caller, on the caller's thread, rather than
 * pushed to a {@link FrameHandler} from an I/O thread. A caller that waits for each answer anyway
 * saves the thread hand-off (a wake-up and two context switches per round trip) an I/O thread
 * costs. Obtained from {@link Transport#connectBlocking}.
 *
 * <p>Over a socket channel ({@link #over}), {@link #send} writes on the caller's thread too, and
 * may block while the socket's send buffer is full; the future it returns is already complete.
 * {@link Transport#connectBlocking}'s default, an adapter over {@link Transport#connect} (used for
 * tls://, for one), hands the frame to the transport's I/O thread instead: its future completes
 * once that thread has written it.
 * {@link #close} from any thread unblocks a thread waiting in {@link #receive} or {@link #send}:
 * that is how a caller bounds the wait.
 */
public interface BlockingConnection extends Connection {

  /**
   * Reads the next frame, waiting for as long as it takes. One thread at a time: a second thread
   * waits until the first has its frame.
   *
   * @return the payload, header removed
   * @throws TransportException {@link TransportException.Kind#CLOSED} when either side closed the
   *     connection, between frames or inside one (every later call fails the same way), {@link TransportException.Kind#BAD_FRAME}
   *     when the next header is malformed or over the maximum frame length (the connection is then
   *     closed), {@link TransportException.Kind#IO} for other failures (likewise)
   */
  byte[] receive() throws TransportException;

  /**
   * A blocking connection over a connected JDK socket channel, of any address family: the
   * building block of {@link Transport#connectBlocking} for transports that can hand one out. The
   * channel is put in blocking mode and owned by the connection from here on.
   *
   * @param channel a connected channel
   * @param remote the endpoint it was dialled at, named in every error
   * @param options the framing and the maximum frame length
   * @param credentials the peer's identity where the socket reports it, or null
   */
  static BlockingConnection over(SocketChannel channel, Endpoint remote, ConnectOptions options,
      PeerCredentials credentials) throws TransportException {
    return ChannelBlockingConnection.open(channel, remote, options, credentials);
  }
}
