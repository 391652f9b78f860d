package io.peerlink.transport.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a transport connects or listens: an immutable value parsed from what users write in
 * configs.
 *
 * <p>Accepted spellings, as the seed system accepts them:
 * <ul>
 *   <li>{@code /tmp/x.sock}, {@code unix:///tmp/x.sock}, {@code ./run/x.sock}, {@code x.sock}:
 *       a Unix socket; relative paths are resolved against the working directory when parsed;</li>
 *   <li>{@code tcp://192.168.1.101:19201}, the bare {@code 192.168.1.101:19201},
 *       {@code tcp://[::1]:19200}, {@code tcp://node-1.example:19201}: TCP; a DNS name is kept as
 *       written and resolved when connecting;</li>
 *   <li>{@code tls://192.168.1.101:19201}, {@code tls://[::1]:19200}: TCP with TLS, host and port
 *       as for {@code tcp}; a transport needs TLS settings to serve it;</li>
 *   <li>{@code scheme://address} for any other scheme: kept as written, for a third-party
 *       provider to interpret. Whether a provider serves it is checked by
 *       {@link TransportRegistry#endpoint(String)}, not here.</li>
 * </ul>
 *
 * <p>{@link #toString()} is the canonical form ({@code tcp://host:port}, {@code unix:///path});
 * two spellings of one endpoint are {@linkplain #equals equal}.
 */
public final class Endpoint {

  /** The scheme of TCP endpoints. */
  public static final String TCP = "tcp";
  /** The scheme of Unix domain socket endpoints. */
  public static final String UNIX = "unix";
  /** The scheme of TCP endpoints spoken over TLS. */
  public static final String TLS = "tls";

  /**
   * Longest socket path Linux accepts, in bytes: {@code sun_path} holds 108 bytes including the
   * terminating NUL.
   */
  public static final int MAX_UNIX_PATH_BYTES = 107;

  private static final Pattern SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*");
  private static final Pattern HOST_NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?)*\\.?");

  private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9_.-]+");

  private final String scheme;
  private final String host; // TCP and TLS only; IPv6 literals without brackets
  private final int port; // TCP and TLS only
  private final String path; // Unix: absolute normalised path; other schemes: the address as written

  private Endpoint(String scheme, String host, int port, String path) {
    this.scheme = scheme;
    this.host = host;
    this.port = port;
    this.path = path;
  }

  /**
   * Parses what a user wrote.
   *
   * @throws InvalidEndpointException quoting the input and saying what was expected
   */
  public static Endpoint parse(String text) {
    if (text == null) {
      throw new InvalidEndpointException("null", "an endpoint such as tcp://HOST:PORT or unix:///PATH");
    }
    String s = text.strip();
    if (s.isEmpty()) {
      throw new InvalidEndpointException(text,
          "an endpoint such as tcp://HOST:PORT or unix:///PATH; the string is empty");
    }
    int sep = s.indexOf("://");
    if (sep > 0 && SCHEME.matcher(s.substring(0, sep)).matches()) {
      String scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
      String rest = s.substring(sep + 3);
      switch (scheme) {
        case TCP:
        case TLS:
          return parseHostPort(text, rest, scheme);
        case UNIX:
          if (rest.isEmpty()) {
            throw new InvalidEndpointException(text, "a socket path after unix://, e.g. unix:///tmp/x.sock");
          }
          return unix(text, rest);
        default:
          if (rest.isEmpty()) {
            throw new InvalidEndpointException(text, "an address after " + scheme + "://");
          }
          return new Endpoint(scheme, null, -1, rest);
      }
    }
    if (s.contains("://")) {
      throw new InvalidEndpointException(text, "a scheme of letters, digits, '+', '-' or '.' before ://");
    }
    // No scheme: a path (the seed's peer_go_master_sockets form) or a bare host:port.
    if (s.startsWith("/") || s.startsWith("./") || s.startsWith("../") || s.startsWith("~")) {
      return unix(text, s);
    }
    if (looksLikeHostPort(s)) {
      return parseHostPort(text, s, TCP);
    }
    if (s.contains("/") || s.endsWith(".sock") || s.endsWith(".socket")) {
      return unix(text, s);
    }
    throw new InvalidEndpointException(text, "tcp://" + s + ":PORT for a TCP peer, or a socket path such as ./"
        + s + ".sock; a bare word is neither");
  }

  /** A TCP endpoint; port 0 is allowed here and means "any free port" when listening. */
  public static Endpoint tcp(String host, int port) {
    String written = "tcp://" + host + ":" + port;
    return new Endpoint(TCP, checkHost(written, host), checkPort(written, Integer.toString(port)), null);
  }

  /** A TLS endpoint: TCP with TLS; port 0 is allowed here and means "any free port" when listening. */
  public static Endpoint tls(String host, int port) {
    String written = "tls://" + host + ":" + port;
    return new Endpoint(TLS, checkHost(written, host), checkPort(written, Integer.toString(port)), null);
  }

  /** A Unix socket endpoint; a relative path is resolved against the working directory. */
  public static Endpoint unix(Path path) {
    return unix(path.toString(), path.toString());
  }

  private static boolean looksLikeHostPort(String s) {
    if (s.startsWith("[")) {
      return true;
    }
    int colon = s.lastIndexOf(':');
    return colon > 0 && s.indexOf(':') == colon && !s.contains("/");
  }

  private static Endpoint parseHostPort(String written, String hostPort, String scheme) {
    String host;
    String portText;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw new InvalidEndpointException(written, "a closing ']' after the IPv6 address, e.g. tcp://[::1]:19200");
      }
      host = hostPort.substring(1, close);
      String after = hostPort.substring(close + 1);
      if (!after.startsWith(":")) {
        throw new InvalidEndpointException(written, "a port after the IPv6 address, e.g. tcp://[" + host + "]:19200");
      }
      portText = after.substring(1);
      if (!host.contains(":")) {
        throw new InvalidEndpointException(written, "an IPv6 address inside [ ]");
      }
    } else {
      int colon = hostPort.lastIndexOf(':');
      if (colon < 0) {
        throw new InvalidEndpointException(written, "a port: tcp://" + hostPort + ":PORT");
      }
      host = hostPort.substring(0, colon);
      portText = hostPort.substring(colon + 1);
      if (host.contains(":")) {
        throw new InvalidEndpointException(written, "IPv6 addresses in brackets, e.g. tcp://[::1]:19200");
      }
    }
    if (host.endsWith("/")) {
      host = host.substring(0, host.length() - 1);
    }
    if (portText.endsWith("/")) {
      portText = portText.substring(0, portText.length() - 1);
    }
    return new Endpoint(scheme, checkHost(written, host), checkPort(written, portText), null);
  }

  private static String checkHost(String written, String host) {
    if (host == null || host.isEmpty()) {
      throw new InvalidEndpointException(written, "a host before the port, e.g. tcp://127.0.0.1:19200");
    }
    if (host.contains(":")) {
      // IPv6 literal: hex digits, colons, dots (embedded IPv4) and an optional %zone.
      String addr = host.contains("%") ? host.substring(0, host.indexOf('%')) : host;
      if (!addr.matches("[0-9A-Fa-f:.]+")) {
        throw new InvalidEndpointException(written, "an IPv6 literal of hex digits and colons, got '" + host + "'");
      }
      // A zone is an interface name or number. Anything else, '/' above all, would not survive the
      // canonical form: "[::1%a//]:1" lost a '/' per parse (found by EndpointFuzzTest).
      if (host.contains("%") && !ZONE.matcher(host.substring(host.indexOf('%') + 1)).matches()) {
        throw new InvalidEndpointException(written, "an IPv6 zone of letters, digits, '_', '.' or '-' after '%', got '"
            + host + "'");
      }
      return host.toLowerCase(Locale.ROOT);
    }
    if (!HOST_NAME.matcher(host).matches() || host.length() > 253) {
      throw new InvalidEndpointException(written, "a host name or IPv4 address, got '" + host + "'");
    }
    return host.toLowerCase(Locale.ROOT);
  }

  private static int checkPort(String written, String portText) {
    if (portText.isEmpty()) {
      throw new InvalidEndpointException(written, "a port number 0-65535 after ':'");
    }
    if (!portText.chars().allMatch(c -> c >= '0' && c <= '9') || portText.length() > 5) {
      throw new InvalidEndpointException(written, "a port number 0-65535, got '" + portText + "'");
    }
    int port = Integer.parseInt(portText);
    if (port > 65535) {
      throw new InvalidEndpointException(written, "a port number 0-65535, got " + port);
    }
    return port;
  }

  private static Endpoint unix(String written, String rawPath) {
    String p = rawPath;
    if (p.startsWith("~/") || p.equals("~")) {
      p = System.getProperty("user.home") + p.substring(1);
    }
    Path resolved;
    try {
      resolved = Path.of(p).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new InvalidEndpointException(written, "a valid socket path (" + e.getReason() + ")");
    }
    String abs = resolved.toString();
    // parse() strips what users write, so a path ending in whitespace (left by normalisation, as
    // in "/tmp/x /") would not survive its own canonical form (found by EndpointFuzzTest).
    if (Character.isWhitespace(abs.codePointBefore(abs.length()))) {
      throw new InvalidEndpointException(written, "a socket path that does not end in whitespace; "
          + abs + " does");
    }
    int bytes = abs.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_UNIX_PATH_BYTES) {
      throw new InvalidEndpointException(written, "a socket path of at most " + MAX_UNIX_PATH_BYTES
          + " bytes (the Linux limit of 108 including NUL); " + abs + " is " + bytes + " bytes");
    }
    return new Endpoint(UNIX, null, -1, abs);
  }

  /** The scheme, lower case: {@code tcp}, {@code unix}, or a third-party one. */
  public String scheme() {
    return scheme;
  }

  /** Whether this is a TCP endpoint. */
  public boolean isTcp() {
    return TCP.equals(scheme);
  }

  /** Whether this is a TLS endpoint ({@code tls://host:port}). */
  public boolean isTls() {
    return TLS.equals(scheme);
  }

  /** Whether this endpoint has a host and a port: {@code tcp} and {@code tls}. */
  public boolean hasHostPort() {
    return host != null;
  }

  /** Whether this is a Unix domain socket endpoint. */
  public boolean isUnix() {
    return UNIX.equals(scheme);
  }

  /** The host of a TCP or TLS endpoint (IPv6 literals without brackets). */
  public String host() {
    requireTcp("host");
    return host;
  }

  /** The port of a TCP or TLS endpoint; 0 means "any free port" when listening. */
  public int port() {
    requireTcp("port");
    return port;
  }

  /** The socket path of a Unix endpoint, absolute. */
  public Path path() {
    if (!isUnix()) {
      throw new IllegalStateException(this + " is not a unix endpoint; it has no path");
    }
    return Path.of(path);
  }

  /** For a third-party scheme, everything after {@code scheme://}, as written. */
  public String address() {
    if (hasHostPort()) {
      return hostPort();
    }
    return path;
  }

  /** This TCP or TLS endpoint with another port: how a listener reports the port it was given. */
  public Endpoint withPort(int newPort) {
    requireTcp("port");
    return isTls() ? tls(host, newPort) : tcp(host, newPort);
  }

  /**
   * Throws unless this endpoint can be connected to: a TCP port of 0 only makes sense for
   * listening.
   */
  public Endpoint requireConnectable() {
    if (hasHostPort() && port == 0) {
      throw new InvalidEndpointException(toString(), "a port 1-65535 to connect to; port 0 is only for listening");
    }
    return this;
  }

  private void requireTcp(String what) {
    if (!hasHostPort()) {
      throw new IllegalStateException(this + " is not a tcp or tls endpoint; it has no " + what);
    }
  }

  private String hostPort() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Endpoint)) {
      return false;
    }
    Endpoint other = (Endpoint) o;
    return port == other.port && scheme.equals(other.scheme) && Objects.equals(host, other.host)
        && Objects.equals(path, other.path);
  }

  @Override
  public int hashCode() {
    return Objects.hash(scheme, host, port, path);
  }

  /** The canonical form: {@code tcp://host:port}, {@code unix:///path}, {@code scheme://address}. */
  @Override
  public String toString() {
    if (hasHostPort()) {
      return scheme + "://" + hostPort();
    }
    return scheme + "://" + path;
  }
}
