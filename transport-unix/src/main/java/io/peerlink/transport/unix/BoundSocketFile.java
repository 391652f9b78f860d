package io.peerlink.transport.unix;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportException.Kind;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * A listening Unix socket and the socket file it owns: binding it safely, and removing the file
 * again, only if it is still ours.
 *
 * <p><b>What may be at the path.</b> Nothing: bind. A socket nobody answers on (connecting is
 * refused: a process crashed without removing it): delete it, bind. Anything else (a regular file,
 * a directory, a symbolic link, a socket someone answers on, a socket we cannot probe) is refused
 * with {@link Kind#BIND_FAILED} and never deleted. junixsocket's own {@code bind} is not used on
 * the final path because it unlinks whatever refuses a connection, and on Linux connecting to a
 * regular file is refused too.
 *
 * <p><b>No window with a wider mode.</b> junixsocket makes every socket file 0666 when it binds.
 * So the socket is bound in a fresh directory of mode 0700 next to the target (same file system),
 * chmod-ed to the requested mode there, and only then hard-linked to the target path;
 * {@code link(2)} fails when the target exists, so a file that appeared meanwhile is never
 * replaced. The private name and directory are removed right after. A process of another user
 * can therefore never connect while the mode is wider than asked.
 *
 * <p>Because junixsocket's {@code accept} closes a server socket whose bind path no longer holds
 * the inode it bound (here: the private name, removed), connections are accepted through a second
 * socket object cast from the same descriptor, which carries no such check. Closing that one shuts
 * the socket down (waking a blocked accept); closing the original releases the descriptor.
 *
 * <p>Fallback: when the private name would be longer than the 107 bytes Linux allows (a target
 * path within a few bytes of the limit with a very short file name), the socket is bound at the
 * target path itself and chmod-ed right after; the file is then 0666 for the microseconds in
 * between, and a file created at the path in the instant between the checks and the bind could be
 * replaced. Both are logged at DEBUG when it happens.
 *
 * <p>The probe is a real connect: a live listener in another process sees one connection that
 * closes at once (a second listen on a path this JVM already serves is refused without probing).
 * Between probing a stale socket and deleting it, another process could bind the path; no
 * lock-free scheme avoids that, and it needs a second process starting on the same path at the
 * same microsecond.
 */
final class BoundSocketFile implements Closeable {

  private static final System.Logger LOG = System.getLogger(BoundSocketFile.class.getName());

  /** Socket paths this JVM listens on: a second listen here is refused without probing. */
  private static final Set<Path> BOUND_IN_THIS_PROCESS = ConcurrentHashMap.newKeySet();

  /** How long the probe of an existing socket file waits for an answer. */
  private static final int PROBE_TIMEOUT_MILLIS = 1_000;

  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Set<PosixFilePermission> PRIVATE_DIR_MODE = PosixFilePermissions.fromString("rwx------");

  private final Endpoint endpoint;
  private final Path path;
  private final AFUNIXServerSocket bound; // as bound; owns the descriptor, never accepted on
  private final AFUNIXServerSocket acceptor; // the same descriptor, cast; accepts
  private final Object fileKey; // identity (device, inode) of our socket file
  private volatile boolean closed;

  private BoundSocketFile(Endpoint endpoint, AFUNIXServerSocket bound, AFUNIXServerSocket acceptor, Object fileKey) {
    this.endpoint = endpoint;
    this.path = endpoint.path();
    this.bound = bound;
    this.acceptor = acceptor;
    this.fileKey = fileKey;
  }

  /**
   * Binds and listens at the endpoint's path.
   *
   * @throws TransportException of kind {@link Kind#BIND_FAILED} naming the endpoint and the reason
   */
  static BoundSocketFile bind(Endpoint endpoint, int backlog, Set<PosixFilePermission> mode) throws TransportException {
    Path path = endpoint.path();
    if (!BOUND_IN_THIS_PROCESS.add(path)) {
      throw bindFailed(endpoint, "this process already listens on it", null);
    }
    boolean ok = false;
    try {
      Path parent = path.getParent();
      if (parent == null || !Files.isDirectory(parent)) {
        throw bindFailed(endpoint, "the directory " + parent + " does not exist", null);
      }
      clearStaleSocketFile(endpoint, path);
      Path privateDir = createPrivateDirectory(endpoint, parent);
      BoundSocketFile result;
      try {
        Path privateName = privateDir.resolve("s");
        if (utf8Length(privateName) > Endpoint.MAX_UNIX_PATH_BYTES) {
          Files.deleteIfExists(privateDir);
          result = bindInPlace(endpoint, backlog, mode);
        } else {
          result = bindPrivatelyThenLink(endpoint, privateName, backlog, mode);
        }
      } finally {
        deleteQuietly(privateDir.resolve("s"));
        deleteQuietly(privateDir);
      }
      ok = true;
      return result;
    } catch (IOException e) {
      throw e instanceof TransportException ? (TransportException) e : bindFailed(endpoint, describe(e), e);
    } finally {
      if (!ok) {
        BOUND_IN_THIS_PROCESS.remove(path);
      }
    }
  }

  private static BoundSocketFile bindPrivatelyThenLink(Endpoint endpoint, Path privateName, int backlog,
      Set<PosixFilePermission> mode) throws IOException {
    Path path = endpoint.path();
    AFUNIXServerSocket bound = newServerSocket();
    boolean linked = false;
    Object fileKey = null;
    try {
      bound.bind(AFUNIXSocketAddress.of(privateName), backlog);
      Files.setPosixFilePermissions(privateName, mode);
      try {
        Files.createLink(path, privateName);
      } catch (FileAlreadyExistsException e) {
        throw bindFailed(endpoint, "a file appeared at the path while binding; it is left as it is", e);
      } catch (UnsupportedOperationException | IOException e) {
        // A file system without hard links to sockets: rename instead. Files.move without
        // REPLACE_EXISTING refuses an existing target (checked just before the rename).
        LOG.log(Level.DEBUG, () -> "hard link to " + path + " failed (" + e + "); renaming the socket instead");
        try {
          Files.move(privateName, path);
        } catch (FileAlreadyExistsException e2) {
          throw bindFailed(endpoint, "a file appeared at the path while binding; it is left as it is", e2);
        }
      }
      linked = true;
      fileKey = fileKeyOf(path);
      return new BoundSocketFile(endpoint, bound, acceptorFor(bound), fileKey);
    } catch (IOException | RuntimeException e) {
      closeQuietly(bound);
      if (linked) {
        deleteIfSame(path, fileKey);
      }
      throw e;
    }
  }

  private static BoundSocketFile bindInPlace(Endpoint endpoint, int backlog, Set<PosixFilePermission> mode)
      throws IOException {
    Path path = endpoint.path();
    LOG.log(Level.DEBUG, () -> "binding " + path + " in place: a private directory next to it would make the path"
        + " longer than " + Endpoint.MAX_UNIX_PATH_BYTES + " bytes; its mode is set right after the bind");
    AFUNIXServerSocket bound = newServerSocket();
    boolean created = false;
    try {
      bound.bind(AFUNIXSocketAddress.of(path), backlog);
      created = true;
      Files.setPosixFilePermissions(path, mode);
      return new BoundSocketFile(endpoint, bound, acceptorFor(bound), fileKeyOf(path));
    } catch (IOException | RuntimeException e) {
      closeQuietly(bound);
      if (created) {
        deleteQuietly(path);
      }
      throw e;
    }
  }

  private static AFUNIXServerSocket newServerSocket() throws IOException {
    AFUNIXServerSocket s = AFUNIXServerSocket.newInstance();
    s.setDeleteOnClose(false); // the file is ours to remove, and only while it is still ours
    s.setReuseAddress(false); // with reuse, junixsocket moves a live listener's socket file away
    return s;
  }

  /**
   * A second socket object on the same descriptor, made by casting: it has no bind inode to check.
   * ({@code FileDescriptorCast.duplicating} would leak the duplicate: closing its socket object
   * does not close that descriptor in junixsocket 2.10.1.)
   */
  private static AFUNIXServerSocket acceptorFor(AFUNIXServerSocket bound) throws IOException {
    AFUNIXServerSocket acceptor = FileDescriptorCast.using(bound.getFileDescriptor()).as(AFUNIXServerSocket.class);
    acceptor.setDeleteOnClose(false);
    return acceptor;
  }

  /** Deletes a stale socket file at the path; refuses anything else that is there. */
  private static void clearStaleSocketFile(Endpoint endpoint, Path path) throws TransportException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw bindFailed(endpoint, "cannot inspect the path: " + describe(e), e);
    }
    if (attrs.isRegularFile()) {
      throw bindFailed(endpoint, "the path holds a regular file, not a socket; it is left as it is."
          + " Remove it or choose another socket path", null);
    }
    if (attrs.isDirectory()) {
      throw bindFailed(endpoint, "the path is a directory; it is left as it is. Choose a socket file path", null);
    }
    if (attrs.isSymbolicLink()) {
      throw bindFailed(endpoint, "the path is a symbolic link; it is left as it is", null);
    }
    if (!isSocket(path, attrs)) {
      throw bindFailed(endpoint, "the path holds a special file that is not a socket; it is left as it is", null);
    }
    String probe = probe(path);
    if (probe == null) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        throw bindFailed(endpoint, "cannot remove the stale socket file: " + describe(e), e);
      }
      LOG.log(Level.INFO, () -> "replaced the stale socket file " + path + " (nothing answered on it)");
    } else if (!probe.isEmpty()) {
      throw bindFailed(endpoint, probe + "; the socket file is left as it is", null);
    }
  }

  /**
   * Tries to connect to an existing socket file.
   *
   * @return null when it is stale (refused), "" when it vanished meanwhile, otherwise why it must
   *     not be touched
   */
  private static String probe(Path path) {
    try (AFUNIXSocket s = AFUNIXSocket.newInstance()) {
      s.setSoTimeout(PROBE_TIMEOUT_MILLIS); // bounds a connect to a full backlog (SO_SNDTIMEO)
      s.connect(AFUNIXSocketAddress.of(path), PROBE_TIMEOUT_MILLIS);
      return "another process is listening on it";
    } catch (SocketTimeoutException e) {
      return "another process holds it (a connection was not accepted within " + PROBE_TIMEOUT_MILLIS + " ms)";
    } catch (IOException e) {
      String msg = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
      if (msg.contains("refused")) {
        return null;
      }
      if (msg.contains("no such file")) {
        return "";
      }
      return "cannot tell whether another process listens on it (" + describe(e) + ")";
    }
  }

  private static boolean isSocket(Path path, BasicFileAttributes attrs) {
    try {
      Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return ((Integer) mode & S_IFMT) == S_IFSOCK;
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
      return attrs.isOther(); // no "unix" attribute view: sockets are "other" files
    }
  }

  /** A fresh directory of mode 0700 in {@code parent}, with a short name to keep paths short. */
  private static Path createPrivateDirectory(Endpoint endpoint, Path parent) throws TransportException {
    IOException last = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      Path dir = parent.resolve(".pl" + Integer.toString(RANDOM.nextInt(Integer.MAX_VALUE), 36));
      try {
        return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR_MODE));
      } catch (FileAlreadyExistsException e) {
        last = e;
      } catch (IOException e) {
        throw bindFailed(endpoint, "cannot create a file in " + parent + ": " + describe(e), e);
      }
    }
    throw bindFailed(endpoint, "cannot create a private directory in " + parent, last);
  }

  /** Accepts one connection; blocks. */
  AFUNIXSocket accept() throws IOException {
    return acceptor.accept();
  }

  boolean isClosed() {
    return closed || acceptor.isClosed();
  }

  /** Stops listening and removes the socket file, if it is still ours. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    closeQuietly(acceptor); // shuts the socket down, which wakes a blocked accept
    closeQuietly(bound);
    deleteIfSame(path, fileKey);
    BOUND_IN_THIS_PROCESS.remove(path);
  }

  @Override
  public String toString() {
    return "BoundSocketFile[" + endpoint + (closed ? ", closed" : "") + "]";
  }

  /**
   * The file's identity: device and inode, and its modification time (set when the socket was
   * bound; links, modes and owners leave it), because a file system reuses a freed inode number at
   * once: a socket someone else bound after deleting ours can carry our old number.
   */
  private static Object fileKeyOf(Path path) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return attributes.fileKey() == null ? null : List.of(attributes.fileKey(), attributes.lastModifiedTime());
  }

  /** Deletes the file only when it is the one we created, not one that replaced it since. */
  private static void deleteIfSame(Path path, Object fileKey) {
    try {
      Object now = fileKeyOf(path);
      if (fileKey == null || Objects.equals(now, fileKey)) {
        Files.deleteIfExists(path);
      } else {
        LOG.log(Level.DEBUG, () -> path + " was replaced by another file; it is left as it is");
      }
    } catch (NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      LOG.log(Level.WARNING, "could not remove the socket file " + path + ": " + describe(e), e);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "could not remove " + p + ": " + describe(e), e);
    }
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, () -> "closing " + c + " failed: " + e);
    }
  }

  private static int utf8Length(Path p) {
    return p.toString().getBytes(StandardCharsets.UTF_8).length;
  }

  private static String describe(IOException e) {
    if (e instanceof SocketException || e.getMessage() == null) {
      return String.valueOf(e.getMessage() != null ? e.getMessage() : e);
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static TransportException bindFailed(Endpoint endpoint, String why, Throwable cause) {
    return new TransportException(endpoint, Kind.BIND_FAILED, "cannot listen: " + why, cause);
  }
}
