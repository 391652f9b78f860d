package io.peerlink.it.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A child process that holds idle TCP connections to a master, so that the master's process has
 * them all to itself (10,000 connections in one process would be 20,000 descriptors, both ends).
 * Commands on standard input, one per line: {@code open N} opens N connections and prints
 * {@code opened N}; {@code close} closes them all with a reset (no TIME_WAIT to exhaust the
 * ephemeral ports over repetitions) and prints {@code closed}. It exits at the end of its input,
 * so it never outlives the benchmark.
 */
public final class IdleClients {

  private IdleClients() {
  }

  /** @param args host and port of the master */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: IdleClients HOST PORT");
      System.exit(2);
    }
    InetSocketAddress master = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
    List<SocketChannel> open = new ArrayList<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] cmd = line.strip().split("\\s+");
      try {
        if (cmd[0].equals("open") && cmd.length == 2) {
          int n = Integer.parseInt(cmd[1]);
          for (int i = 0; i < n; i++) {
            SocketChannel ch = SocketChannel.open();
            open.add(ch);
            ch.connect(master);
          }
          System.out.println("opened " + open.size());
        } else if (cmd[0].equals("close")) {
          closeAll(open);
          System.out.println("closed");
        } else {
          System.out.println("error: unknown command '" + line + "'; expected 'open N' or 'close'");
        }
      } catch (IOException | RuntimeException e) {
        System.out.println("error: " + e);
      }
      System.out.flush();
    }
    closeAll(open);
  }

  private static void closeAll(List<SocketChannel> open) throws IOException {
    for (SocketChannel ch : open) {
      if (ch.isOpen()) {
        ch.setOption(StandardSocketOptions.SO_LINGER, 0);
        ch.close();
      }
    }
    open.clear();
  }
}
