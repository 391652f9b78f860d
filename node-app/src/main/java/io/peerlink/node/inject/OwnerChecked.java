package io.peerlink.node.inject;

import jakarta.inject.Qualifier;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The transports as the node role dials with them: a Unix socket must be served by this process's
 * uid or one of {@code master_uids} (another user's socket at the path in /tmp is refused).
 */
@Qualifier
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.PARAMETER, ElementType.FIELD})
@interface OwnerChecked {
}
