package io.peerlink.transport.unix;

import java.util.Optional;
import org.newsclub.net.unix.AFUNIXSocket;

/**
 * Whether junixsocket can open Unix domain sockets in this JVM, checked once: loading the native
 * library is costly and its outcome does not change.
 */
final class NativeSupport {

  private NativeSupport() {
  }

  /** Empty when available; otherwise why not. Never throws. */
  static Optional<String> unavailabilityReason() {
    return Optional.ofNullable(Holder.REASON);
  }

  // A holder class, so that the check runs on first use, not when the provider is constructed.
  private static final class Holder {
    static final String REASON = check();

    private static String check() {
      try {
        if (AFUNIXSocket.isSupported()) {
          return null;
        }
        try {
          AFUNIXSocket.ensureSupported();
        } catch (UnsupportedOperationException e) {
          return "junixsocket does not support Unix domain sockets on " + platform() + ": " + describe(e);
        }
        return "junixsocket does not support Unix domain sockets on " + platform();
      } catch (LinkageError | RuntimeException e) {
        // NoClassDefFoundError when junixsocket is missing, UnsatisfiedLinkError for its library.
        return "junixsocket could not be loaded on " + platform() + ": " + describe(e);
      }
    }

    private static String describe(Throwable t) {
      StringBuilder sb = new StringBuilder(String.valueOf(t));
      for (Throwable c = t.getCause(); c != null && c != t; c = c.getCause()) {
        sb.append("; caused by ").append(c);
        if (c.getCause() == c) {
          break;
        }
      }
      return sb.toString();
    }

    private static String platform() {
      return System.getProperty("os.name") + "/" + System.getProperty("os.arch");
    }
  }
}
