package io.flock.cli;

import io.flock.privacy.tls.FederationCertificates;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flock certs}: a federation CA and member certificates for Artery's mutually
 * authenticated TLS, plus a ready HOCON overlay per member.
 */
@Command(name = "certs", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Create the federation's certificate authority (once) and a TLS certificate per member.",
        "Each member gets DIR/<member>.p12, DIR/<member>-tls.conf (an Artery TLS overlay) and shares",
        "DIR/truststore.p12; keep DIR/ca.p12 offline."})
final class CertsCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory of the federation's TLS files.")
  Path out;

  @Option(names = "--federation", defaultValue = "flock", description = "Federation name in the CA (default: ${DEFAULT-VALUE}).")
  String federation;

  @Option(names = "--members", required = true, split = ",", paramLabel = "NAME[,NAME...]",
      description = "Members to issue certificates for, e.g. seed,member-1,member-2.")
  List<String> members;

  @Option(names = "--hosts", defaultValue = "127.0.0.1,localhost", split = ",",
      description = "Host names and addresses the members are reached at (default: ${DEFAULT-VALUE}).")
  List<String> hosts;

  @Override
  public Integer call() throws Exception {
    FederationCertificates certs = new FederationCertificates(new SecureRandom());
    PrintWriter w = spec.commandLine().getOut();
    var ca = certs.ensureCa(out, federation);
    w.println("CA: " + ca.getSubjectX500Principal().getName() + " in " + out.resolve(FederationCertificates.CA_STORE));
    String trustPassword = Files.readString(
        FederationCertificates.passwordFile(out.resolve(FederationCertificates.TRUST_STORE))).trim();
    for (String member : members) {
      FederationCertificates.MemberFiles f;
      try {
        f = certs.issueMember(out, member, hosts);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      Path overlay = out.resolve(member + "-tls.conf");
      Files.writeString(overlay, FederationCertificates.arteryTlsOverlay(f, trustPassword), StandardCharsets.UTF_8);
      try {
        Files.setPosixFilePermissions(overlay, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
      w.println("member " + member + ": " + f.keyStore() + ", TLS overlay " + overlay);
    }
    w.flush();
    return 0;
  }

}
