package io.flock.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every cluster JVM shares: where others reach it, and a configuration overlay. */
final class ClusterEndpoint {

  @Option(names = "--host", defaultValue = "${env:FLOCK_HOST:-127.0.0.1}",
      description = "Address other JVMs reach this one at (default: $FLOCK_HOST or 127.0.0.1).")
  String host;

  @Option(names = "--cluster-config", paramLabel = "FILE",
      description = "HOCON layered over the cluster configuration, e.g. the TLS overlay of `flock certs`.")
  Path clusterConfig;
}
