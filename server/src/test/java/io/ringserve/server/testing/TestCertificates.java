package io.ringserve.server.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time, as PEM files: a certificate authority, and leaf certificates it
 * signs for 127.0.0.1 and localhost (server or client). EC P-256 keys, so that making one costs
 * milliseconds. Not thread-safe; one per test.
 */
public final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final String name;
  private final KeyPair caKeys;
  private final X509CertificateHolder ca;

  /** A new certificate authority called {@code name}. */
  public TestCertificates(String name) throws GeneralSecurityException, IOException {
    this.name = name;
    this.caKeys = keyPair();
    X500Name subject = new X500Name("CN=" + name + " test CA");
    this.ca =
        sign(
            new JcaX509v3CertificateBuilder(
                    subject,
                    serial(),
                    Date.from(Instant.now().minus(Duration.ofHours(1))),
                    Date.from(Instant.now().plus(Duration.ofDays(1))),
                    subject,
                    caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true)),
            caKeys);
  }

  /** Writes the CA's certificate to {@code file}; returns it. */
  public Path writeCa(Path file) throws IOException {
    writeAtomically(file, pem(ca));
    return file;
  }

  /**
   * A leaf certificate for 127.0.0.1 and localhost signed by this CA: its PEM certificate to {@code
   * certFile}, its PKCS#8 key to {@code keyFile}, each replaced atomically (as a Kubernetes Secret
   * update does).
   */
  public void writeLeaf(String commonName, Path certFile, Path keyFile)
      throws GeneralSecurityException, IOException {
    KeyPair keys = keyPair();
    X509CertificateHolder leaf =
        sign(
            new JcaX509v3CertificateBuilder(
                    ca.getSubject(),
                    serial(),
                    Date.from(Instant.now().minus(Duration.ofHours(1))),
                    Date.from(Instant.now().plus(Duration.ofDays(1))),
                    new X500Name("CN=" + commonName + " (" + name + ")"),
                    keys.getPublic())
                .addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(
                        new GeneralName[] {
                          new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                          new GeneralName(GeneralName.dNSName, "localhost")
                        })),
            caKeys);
    writeAtomically(keyFile, pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
    writeAtomically(certFile, pem(leaf));
  }

  private static X509CertificateHolder sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws GeneralSecurityException {
    try {
      return builder.build(
          new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate()));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIAL.incrementAndGet());
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  private static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
