package io.peerlink.transport.unix;

import static io.peerlink.transport.unix.UnixTestSupport.LISTEN;
import static io.peerlink.transport.unix.UnixTestSupport.ask;
import static io.peerlink.transport.unix.UnixTestSupport.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.InvalidEndpointException;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What listening does with the socket file: stale files, foreign files, modes, clean-up. */
class UnixSocketFileTest {

  private Path dir;
  private Transport transport;

  @BeforeEach
  void setUp() throws Exception {
    dir = UnixTestSupport.shortTempDir();
    transport = new UnixTransportProvider().create();
  }

  @AfterEach
  void tearDown() throws Exception {
    transport.close();
    UnixTestSupport.deleteTree(dir);
  }

  private Listener echo(Path path) throws TransportException {
    return transport.listen(Endpoint.unix(path), LISTEN, c -> (conn, frame) -> conn.send(frame));
  }

  private static boolean isSocket(Path p) throws Exception {
    return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000) == 0140000;
  }

  @Test
  void aStaleSocketFileFromACrashedProcessIsReplaced() throws Exception {
    Path path = dir.resolve("stale.sock");
    // The JDK's own Unix sockets leave the file behind on close, as a crashed process would.
    try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      crashed.bind(UnixDomainSocketAddress.of(path));
    }
    assertTrue(isSocket(path), "a stale socket file is there");
    Object staleInode = Files.readAttributes(path, BasicFileAttributes.class).fileKey();

    Listener listener = echo(path);
    assertTrue(isSocket(path));
    assertFalse(staleInode.equals(Files.readAttributes(path, BasicFileAttributes.class).fileKey()),
        "the stale file was replaced by a new socket");
    assertEquals("ping", ask(transport, listener, "ping"));
    listener.close();
  }

  @Test
  void aRegularFileIsRefusedAndLeftIntact() throws Exception {
    Path path = dir.resolve("data.sock");
    Files.writeString(path, "precious");
    TransportException e = assertThrows(TransportException.class, () -> echo(path));
    assertEquals(TransportException.Kind.BIND_FAILED, e.kind());
    assertTrue(e.getMessage().contains(Endpoint.unix(path).toString()), e.getMessage());
    assertTrue(e.getMessage().contains("regular file"), e.getMessage());
    assertEquals("precious", Files.readString(path), "the file is untouched");
    assertEquals(List.of(path), list(dir), "nothing else was left in the directory");
  }

  @Test
  void aDirectoryIsRefusedAndLeftIntact() throws Exception {
    Path path = Files.createDirectory(dir.resolve("sub"));
    Files.writeString(path.resolve("keep"), "x");
    TransportException e = assertThrows(TransportException.class, () -> echo(path));
    assertEquals(TransportException.Kind.BIND_FAILED, e.kind());
    assertTrue(Files.exists(path.resolve("keep")));
  }

  @Test
  void aLiveListenerOfThisTransportKeepsItsPath() throws Exception {
    Path path = dir.resolve("live.sock");
    Listener first = echo(path);
    Object inode = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    TransportException e = assertThrows(TransportException.class, () -> echo(path));
    assertEquals(TransportException.Kind.BIND_FAILED, e.kind());
    assertTrue(e.getMessage().contains(first.endpoint().toString()), e.getMessage());
    assertEquals(inode, Files.readAttributes(path, BasicFileAttributes.class).fileKey(), "the file is untouched");
    assertEquals("still mine", ask(transport, first, "still mine"), "the live listener still works");
    first.close();
  }

  @Test
  void aLiveListenerOfAnotherTransportOrProcessKeepsItsPath() throws Exception {
    Path path = dir.resolve("other.sock");
    // Another process's listener, here the JDK's: it answers connects from its backlog.
    try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      other.bind(UnixDomainSocketAddress.of(path));
      TransportException e = assertThrows(TransportException.class, () -> echo(path));
      assertEquals(TransportException.Kind.BIND_FAILED, e.kind());
      assertTrue(e.getMessage().contains("another process is listening"), e.getMessage());
      assertTrue(isSocket(path));
      try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
        assertTrue(c.isConnected(), "the other listener still answers");
      }
    }
  }

  @Test
  void theSocketFileIsOwnerOnlyByDefault() throws Exception {
    Path path = dir.resolve("mode.sock");
    Listener listener = echo(path);
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(path));
    listener.close();
  }

  @Test
  void theSocketFileModeIsConfigurable() throws Exception {
    Path path = dir.resolve("group.sock");
    Listener listener = transport.listen(Endpoint.unix(path), LISTEN.withSocketFileMode("rw-rw----"),
        c -> (conn, frame) -> conn.send(frame));
    assertEquals(PosixFilePermissions.fromString("rw-rw----"), Files.getPosixFilePermissions(path));
    assertEquals("hi", ask(transport, listener, "hi"));
    listener.close();
  }

  @Test
  void noPrivateBindDirectoryIsLeftBehind() throws Exception {
    Path path = dir.resolve("only.sock");
    Listener listener = echo(path);
    assertEquals(List.of(path), list(dir), "only the socket file is in the directory");
    listener.close();
  }

  @Test
  void theSocketFileIsRemovedWhenTheListenerCloses() throws Exception {
    Path path = dir.resolve("gone.sock");
    Listener listener = echo(path);
    assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS));
    listener.close();
    assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "closing removes the socket file");
    listener.close(); // idempotent
  }

  @Test
  void theSocketFileIsRemovedWhenTheTransportCloses() throws Exception {
    Path path = dir.resolve("t.sock");
    echo(path);
    transport.close();
    assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aFileThatReplacedOursIsNotRemovedOnClose() throws Exception {
    Path path = dir.resolve("swap.sock");
    Listener listener = echo(path);
    Files.delete(path);
    Files.writeString(path, "someone else's");
    listener.close();
    assertEquals("someone else's", Files.readString(path));
  }

  @Test
  void aSocketThatReplacedOursIsNotRemovedOnClose() throws Exception {
    Path path = dir.resolve("squat.sock");
    Listener listener = echo(path);
    Files.delete(path);
    // Another process's socket at the path; the file system may well give it our freed inode number.
    try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      other.bind(UnixDomainSocketAddress.of(path));
      listener.close();
      assertTrue(isSocket(path), "the other socket file is left in place");
      try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
        assertTrue(client.isConnected(), "and still answers");
      }
    }
  }

  @Test
  void aPathAtTheLengthLimitWorks() throws Exception {
    // A 107-byte path with a one-letter name: too long for the private bind directory, so the
    // socket is bound in place; the mode and the clean-up must hold all the same.
    String base = dir.toString();
    String sub = "d".repeat(Endpoint.MAX_UNIX_PATH_BYTES - base.length() - "/".length() - "/s".length());
    Path path = Files.createDirectory(dir.resolve(sub)).resolve("s");
    assertEquals(Endpoint.MAX_UNIX_PATH_BYTES, path.toString().getBytes(StandardCharsets.UTF_8).length);
    Listener listener = echo(path);
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(path));
    assertEquals("long", ask(transport, listener, "long"));
    listener.close();
    assertEquals(List.of(), list(path.getParent()));
  }

  @Test
  void aPathOverTheLimitIsRejectedWithAClearMessage() {
    String tooLong = dir.resolve("x".repeat(120) + ".sock").toString();
    InvalidEndpointException e = assertThrows(InvalidEndpointException.class, () -> Endpoint.parse(tooLong));
    assertTrue(e.getMessage().contains(tooLong), e.getMessage());
    assertTrue(e.getMessage().contains("107 bytes"), e.getMessage());
    assertThrows(InvalidEndpointException.class, () -> Endpoint.unix(Path.of(tooLong)));
  }

  @Test
  void aMissingDirectoryIsNamed() {
    Path path = dir.resolve("no/such/dir/x.sock");
    TransportException e = assertThrows(TransportException.class, () -> echo(path));
    assertEquals(TransportException.Kind.BIND_FAILED, e.kind());
    assertTrue(e.getMessage().contains(dir.resolve("no/such/dir").toString()), e.getMessage());
  }

  @Test
  void aTcpEndpointIsNotServed() {
    TransportException e = assertThrows(TransportException.class,
        () -> transport.listen(Endpoint.parse("tcp://127.0.0.1:0"), LISTEN, c -> (conn, f) -> { }));
    assertEquals(TransportException.Kind.UNSUPPORTED, e.kind());
  }

  @Test
  void theAcceptThreadIsNamedAndEndsOnClose() throws Exception {
    Path path = dir.resolve("named.sock");
    Listener listener = echo(path);
    String name = "peerlink-unix-accept-" + path;
    assertTrue(threadNamed(name), "a thread named " + name + " accepts");
    listener.close();
    assertFalse(threadNamed(name), "close() returns after the accept thread ended");
  }

  private static boolean threadNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive() && t.getName().equals(name));
  }
}
