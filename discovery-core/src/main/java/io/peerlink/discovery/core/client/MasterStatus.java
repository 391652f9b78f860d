package io.peerlink.discovery.core.client;

/**
 * The status a master reports. uint64 values are carried in {@code long}: compare with
 * {@link Long#compareUnsigned}.
 *
 * @param epoch the current epoch
 * @param lastBlockNumber the last executed block
 */
public record MasterStatus(long epoch, long lastBlockNumber) {

  @Override
  public String toString() {
    return "MasterStatus[epoch=" + Long.toUnsignedString(epoch) + ", lastBlockNumber="
        + Long.toUnsignedString(lastBlockNumber) + "]";
  }
}
