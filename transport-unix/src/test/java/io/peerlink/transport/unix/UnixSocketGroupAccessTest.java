package io.peerlink.transport.unix;

import static io.peerlink.transport.unix.UnixAccessPolicyTest.waitUntil;
import static io.peerlink.transport.unix.UnixTestSupport.LISTEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.peerlink.transport.api.AccessPolicy;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.PeerCredentials;
import io.peerlink.transport.api.Transport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The socket file's mode and group decide which other users may connect, and the uid allowlist
 * refuses another user's process. The group is set after listening (node-app chowns the file, as
 * {@code chgrp} would); the transport only guarantees the mode it was given.
 *
 * <p>These tests start real peer processes under another uid and gid with {@code setpriv}, so
 * they need root (as the test environment runs) and are skipped otherwise: without them only the
 * mode bits can be checked, which {@link UnixSocketFileTest} does.
 */
class UnixSocketGroupAccessTest {

  private static final long NOBODY = 65534;
  private static final long GROUP = 4242; // needs no /etc/group entry: chown and setpriv take ids
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  private Path dir;
  private Transport transport;
  private Path connectProgram;
  private String lastOutput; // what the last connect program printed, for failure messages

  @BeforeEach
  void setUp() throws Exception {
    dir = UnixTestSupport.shortTempDir();
    assumeTrue(((Number) Files.getAttribute(dir, "unix:uid")).longValue() == 0, "needs root to act as other users");
    assumeTrue(Files.isExecutable(SETPRIV), "needs " + SETPRIV);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x")); // others may traverse
    transport = new UnixTransportProvider().create();
    connectProgram = dir.resolve("Connect.java");
    // Connects, sends one 1-byte frame and reports: 0 answered, 2 closed by the listener, 3 connect refused.
    Files.writeString(connectProgram, String.join("\n",
        "import java.nio.ByteBuffer; import java.nio.channels.SocketChannel; import java.net.UnixDomainSocketAddress;",
        "public class Connect { public static void main(String[] a) throws Exception {",
        "  SocketChannel c;",
        "  try { c = SocketChannel.open(UnixDomainSocketAddress.of(a[0])); }",
        "  catch (java.io.IOException e) { System.out.println(\"connect refused: \" + e.getMessage()); System.exit(3); return; }",
        "  try (c) { c.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 'x'})); ByteBuffer in = ByteBuffer.allocate(5);",
        "    while (in.hasRemaining()) { if (c.read(in) < 0) { System.out.println(\"closed\"); System.exit(2); } }",
        "    System.out.println(\"answered\"); }",
        "  catch (java.io.IOException e) { System.out.println(\"closed: \" + e.getMessage()); System.exit(2); } } }",
        ""));
    Files.setPosixFilePermissions(connectProgram, PosixFilePermissions.fromString("rw-r--r--"));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (transport != null) {
      transport.close();
    }
    UnixTestSupport.deleteTree(dir);
  }

  /** Runs the connect program as {@code uid}/{@code gid} with no supplementary groups; its exit code. */
  private int connectAs(long uid, long gid, Path socket) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> cmd = new ArrayList<>(List.of(SETPRIV.toString(), "--reuid=" + uid, "--regid=" + gid,
        "--clear-groups", java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", connectProgram.toString(),
        socket.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(UnixTestSupport.WAIT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the connect program did not finish: " + cmd);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    lastOutput = "uid " + uid + " gid " + gid + ": " + out;
    return p.exitValue();
  }

  private void chgrp(Path path, long gid) throws IOException {
    GroupPrincipal group = path.getFileSystem().getUserPrincipalLookupService()
        .lookupPrincipalByGroupName(Long.toString(gid));
    Files.setAttribute(path, "posix:group", group);
  }

  @Test
  void a0660SocketChownedToAGroupAdmitsItsMembersAndNoOtherUser() throws Exception {
    Path path = dir.resolve("g.sock");
    List<PeerCredentials> seen = new CopyOnWriteArrayList<>();
    Listener listener = transport.listen(Endpoint.unix(path), LISTEN.withSocketFileMode("rw-rw----"), c -> {
      c.peerCredentials().ifPresent(seen::add);
      return (conn, frame) -> conn.send(frame);
    });
    chgrp(path, GROUP);
    assertEquals(GROUP, ((Number) Files.getAttribute(path, "unix:gid")).longValue());
    assertEquals(0660, (Integer) Files.getAttribute(path, "unix:mode") & 0777, "chgrp keeps the mode");

    assertEquals(0, connectAs(NOBODY, GROUP, path), () -> "a member of the socket's group is served; " + lastOutput);
    assertEquals(NOBODY, seen.get(0).uid(), "the handler saw the other user's credentials");
    assertEquals(GROUP, seen.get(0).gid());
    assertEquals(3, connectAs(NOBODY, GROUP + 1, path),
        () -> "another user outside the group cannot connect; " + lastOutput);
    assertEquals(1, listener.stats().accepted(), "the kernel refused the outsider before any accept");
    listener.close();
  }

  @Test
  void theDefault0600SocketRefusesEvenAGroupMember() throws Exception {
    Path path = dir.resolve("o.sock");
    Listener listener = transport.listen(Endpoint.unix(path), LISTEN, c -> (conn, frame) -> conn.send(frame));
    chgrp(path, GROUP);
    assertEquals(0600, (Integer) Files.getAttribute(path, "unix:mode") & 0777);
    assertEquals(3, connectAs(NOBODY, GROUP, path), () -> "owner only: the group does not help; " + lastOutput);
    assertEquals(0, listener.stats().accepted());
    listener.close();
  }

  @Test
  void theUidAllowlistClosesAnotherUsersConnectionAtAccept() throws Exception {
    Path path = dir.resolve("u.sock");
    List<Optional<PeerCredentials>> handled = new CopyOnWriteArrayList<>();
    Listener listener = transport.listen(Endpoint.unix(path),
        LISTEN.withSocketFileMode("rw-rw-rw-").withAccess(AccessPolicy.uids(Set.of(0L))), c -> {
          handled.add(c.peerCredentials());
          return (conn, frame) -> conn.send(frame);
        });
    assertEquals(2, connectAs(NOBODY, NOBODY, path),
        () -> "the file lets it connect; the allowlist closes it; " + lastOutput);
    waitUntil("refusedByPolicy counts it", () -> listener.stats().refusedByPolicy() == 1);
    assertEquals(List.of(), handled, "the handler never saw the refused connection");
    assertEquals(0, connectAs(0, 0, path), () -> "uid 0 is on the allowlist and served; " + lastOutput);
    assertEquals(1, handled.size());
    assertEquals(1, listener.stats().refusedByPolicy());
    listener.close();
  }
}
