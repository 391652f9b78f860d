package io.peerlink.transport.api.testing;

import io.peerlink.transport.api.TlsOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made at test time with the JDK's {@code keytool} (run as a process): a CA; a
 * server certificate and a client certificate it signed, both with the IP SAN 127.0.0.1; and a
 * client certificate signed by another CA, which the server must refuse. EC P-256 keys, valid
 * two days. Made once per test JVM, in a temporary directory deleted at exit.
 */
public final class TestCertificates {

  private static final String PASS = "changeit";
  private static volatile TestCertificates instance;

  /** Where the files are. */
  public final Path dir;
  /** The server's chain and key, trusting the CA. */
  public final TlsOptions server;
  /** A client signed by the CA, trusting the CA. */
  public final TlsOptions client;
  /** A client signed by another CA (trusting the right CA, so only the server can object). */
  public final TlsOptions strangerClient;

  private TestCertificates(Path dir) {
    this.dir = dir;
    Path ca = dir.resolve("ca.pem");
    this.server = new TlsOptions(dir.resolve("server-chain.pem"), dir.resolve("server-key.pem"), ca);
    this.client = new TlsOptions(dir.resolve("client-chain.pem"), dir.resolve("client-key.pem"), ca);
    this.strangerClient = new TlsOptions(dir.resolve("stranger-chain.pem"), dir.resolve("stranger-key.pem"), ca);
  }

  /** The certificates of this JVM, made on first use. */
  public static synchronized TestCertificates get() {
    if (instance == null) {
      try {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "plc");
        TestCertificates c = new TestCertificates(dir);
        c.generate();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteAll(dir)));
        instance = c;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  private void generate() throws IOException {
    // Independent steps run side by side: each keytool is a JVM start.
    parallel(keypair("ca", "CN=peerlink test CA", true), keypair("other-ca", "CN=another CA", true),
        keypair("server", "CN=server", false), keypair("client", "CN=client", false),
        keypair("stranger", "CN=stranger", false));
    parallel(List.of("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem"),
        List.of("-exportcert", "-rfc", "-alias", "other-ca", "-keystore", "other-ca.p12", "-file", "other-ca.pem"),
        certreq("server"), certreq("client"), certreq("stranger"));
    parallel(gencert("ca", "server"), gencert("ca", "client"), gencert("other-ca", "stranger"));
    for (String[] leaf : new String[][] {{"server", "ca"}, {"client", "ca"}, {"stranger", "other-ca"}}) {
      String chain = Files.readString(dir.resolve(leaf[0] + ".pem")) + Files.readString(dir.resolve(leaf[1] + ".pem"));
      Files.writeString(dir.resolve(leaf[0] + "-chain.pem"), chain);
      writePkcs8Key(leaf[0]);
    }
  }

  private static List<String> keypair(String alias, String dname, boolean ca) {
    List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname",
        "secp256r1", "-dname", dname, "-validity", "2", "-keystore", alias + ".p12", "-storetype", "PKCS12"));
    if (ca) {
      args.addAll(List.of("-ext", "bc:c"));
    }
    return args;
  }

  private static List<String> certreq(String alias) {
    return List.of("-certreq", "-alias", alias, "-keystore", alias + ".p12", "-file", alias + ".csr");
  }

  private static List<String> gencert(String ca, String alias) {
    return List.of("-gencert", "-alias", ca, "-keystore", ca + ".p12", "-infile", alias + ".csr", "-outfile",
        alias + ".pem", "-rfc", "-validity", "2", "-ext", "SAN=ip:127.0.0.1", "-ext", "EKU=serverAuth,clientAuth");
  }

  @SafeVarargs
  private void parallel(List<String>... commands) throws IOException {
    List<CompletableFuture<Void>> running = new ArrayList<>();
    for (List<String> args : commands) {
      running.add(CompletableFuture.runAsync(() -> {
        try {
          keytool(args);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }));
    }
    try {
      CompletableFuture.allOf(running.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("keytool failed: " + e.getMessage(), e);
    }
  }

  private void keytool(List<String> args) throws IOException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> cmd = new ArrayList<>();
    cmd.add(keytool.toString());
    cmd.addAll(args);
    cmd.addAll(List.of("-storepass", PASS, "-keypass", PASS, "-noprompt"));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("keytool " + args + " did not finish within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException("keytool " + args + " failed (" + p.exitValue() + "): " + out);
    }
  }

  // The key out of the PKCS#12 store as PKCS#8 PEM: what SslContextBuilder reads.
  private void writePkcs8Key(String alias) throws IOException {
    try (InputStream in = Files.newInputStream(dir.resolve(alias + ".p12"))) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASS.toCharArray());
      Key key = ks.getKey(alias, PASS.toCharArray());
      String pem = "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
      Files.writeString(dir.resolve(alias + "-key.pem"), pem);
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot read the key of " + alias + ": " + e, e);
    }
  }

  private static void deleteAll(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // best effort at JVM exit
    }
  }
}
