/**
 * The seed's status protocol and what a node decides from it, on transport-api alone:
 * {@code protocol} (the wire types and codec), {@code chain} (the chain-link check),
 * {@code client} (a typed client of one master), {@code server} (answering the query channel from
 * a {@code MasterState}), {@code discovery} (peer rounds, the tip, the sync decision) and
 * {@code catchup} (fetching verified blocks). Each package's helpers are package-private; README
 * "Where to start" follows one peer query through them.
 */
module io.peerlink.discovery.core {
  requires transitive io.peerlink.transport.api;

  exports io.peerlink.discovery.core.protocol;
  exports io.peerlink.discovery.core.chain;
  exports io.peerlink.discovery.core.client;
  exports io.peerlink.discovery.core.server;
  exports io.peerlink.discovery.core.discovery;
  exports io.peerlink.discovery.core.catchup;
}
