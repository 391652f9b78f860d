package io.peerlink.it.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The stacks compared by the status benchmarks, named by their keys in summary.json. */
public enum Variant {
  /** peerlink's transport-unix, answered by discovery-core's Responder. */
  PEERLINK_UNIX,
  /** peerlink's transport-tcp, answered by discovery-core's Responder. */
  PEERLINK_TCP,
  /** Blocking JDK SocketChannels over a Unix domain socket, one thread per connection. */
  RAW_UNIX,
  /** Blocking JDK SocketChannels over TCP, one thread per connection. */
  RAW_TCP,
  /** grpc-java unary calls over Netty (grpc-netty-shaded), TCP. */
  GRPC_TCP,
  /** grpc-java unary calls over Netty's epoll Unix domain socket channel. */
  GRPC_UNIX;

  /** The key in summary.json, e.g. {@code peerlink_unix}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The variant for a key. */
  public static Variant of(String key) {
    return valueOf(key.toUpperCase(Locale.ROOT));
  }

  /** Every variant, in the order tables show them. */
  public static List<Variant> all() {
    return Arrays.asList(values());
  }

  /** Starts a server of this variant; Unix sockets go into {@code socketDir}. */
  public StatusServer start(Path socketDir) throws Exception {
    switch (this) {
      case PEERLINK_UNIX:
        return PeerlinkStatusServer.start(PeerlinkStatusServer.unixEndpoint(socketDir));
      case PEERLINK_TCP:
        return PeerlinkStatusServer.start(PeerlinkStatusServer.tcpEndpoint());
      case RAW_UNIX:
        return RawStatusServer.startUnix(socketDir.resolve("raw.sock"));
      case RAW_TCP:
        return RawStatusServer.startTcp();
      case GRPC_TCP:
        return GrpcStatusServer.startTcp();
      case GRPC_UNIX:
        return GrpcStatusServer.startUnix(socketDir.resolve("grpc.sock"));
      default:
        throw new AssertionError(this);
    }
  }
}
