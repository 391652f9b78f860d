/**
 * The seed system's wire messages, with a small hand-made protobuf codec that writes the same
 * bytes as protobuf-java and Go's {@code proto.Marshal}: fields in number order, zero and empty
 * scalars omitted, an empty message selected in a oneof still written.
 *
 * <p>Readers skip unknown fields of every wire type (groups included, nested at most 100 deep),
 * reject truncated, over-long or malformed input with {@link
 * io.peerlink.discovery.core.protocol.ProtocolException}, and check every length prefix against
 * the bytes left before allocating, so decoding never costs more than the input's size.
 *
 * <p>Every message and field of the three generations in {@code PROTOCOL.md} (G1 the contract, G2
 * and G3 read and written), one record per message. Fields a message does not know are kept as
 * raw bytes ({@link io.peerlink.discovery.core.protocol.UnknownFields}) and written back after the
 * known ones; a decoded {@link io.peerlink.discovery.core.protocol.BlockData} writes back the
 * exact bytes it came in. One field-list-driven codec serves all messages.
 *
 * <p>{@link io.peerlink.discovery.core.protocol.Response#decode} takes its array over (a received
 * frame): the blocks of a range answer are views of it, not copies. Every other decoder copies
 * what it keeps, as its caller may reuse its array.
 *
 * <p>Query channel: {@link io.peerlink.discovery.core.protocol.Request} and {@link
 * io.peerlink.discovery.core.protocol.Response}. Block channel: {@link
 * io.peerlink.discovery.core.protocol.CommittedEpochData} (G1/G2) or {@link
 * io.peerlink.discovery.core.protocol.ExecutableBlock} (G3), told apart by {@link
 * io.peerlink.discovery.core.protocol.BlockChannelMessage}. The framing is transport-api's
 * {@code FrameFormat}.
 */
package io.peerlink.discovery.core.protocol;
