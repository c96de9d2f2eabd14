package io.ringserve.server.internal.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringserve.server.internal.cpu.CpuFeatures.VectorUnit;
import org.junit.jupiter.api.Test;

class CpuFeaturesTest {
  private static String cpuinfo(String model, String flags) {
    return "processor\t: 0\nvendor_id\t: X\nmodel name\t: "
        + model
        + "\nflags\t\t: "
        + flags
        + "\n\nprocessor\t: 1\nmodel name\t: second\nflags\t\t: fpu\n";
  }

  @Test
  void shouldTellAvx512FromAvx2FromOlderX86() {
    assertEquals(
        new CpuFeatures("Intel(R) Xeon(R) Processor", VectorUnit.AVX512),
        CpuFeatures.parse(
            cpuinfo("Intel(R) Xeon(R) Processor", "fpu sse2 avx avx2 avx512f avx512dq amx_tile")));
    assertEquals(
        VectorUnit.AVX2,
        CpuFeatures.parse(cpuinfo("AMD EPYC 7B13", "fpu sse2 avx avx2 fma")).vectorUnit());
    // avx512_bf16 alone is not the foundation set the kernels need.
    assertEquals(
        VectorUnit.OLDER,
        CpuFeatures.parse(cpuinfo("old", "fpu sse2 avx avx512_bf16")).vectorUnit());
  }

  @Test
  void shouldSayUnknownWithoutX86Flags() {
    // aarch64 names its list "Features" and has no model name line.
    assertEquals(
        new CpuFeatures("unknown", VectorUnit.UNKNOWN),
        CpuFeatures.parse("processor\t: 0\nFeatures\t: fp asimd sve\nCPU part\t: 0xd40\n"));
    assertEquals(VectorUnit.UNKNOWN, CpuFeatures.parse("").vectorUnit());
  }

  @Test
  void shouldStateTheOneDnnSettingTensorFlowWillRead() {
    CpuFeatures epyc = new CpuFeatures("AMD EPYC 7B13", VectorUnit.AVX2);

    assertEquals(
        "CPU: AMD EPYC 7B13, AVX2, no AVX-512; TensorFlow oneDNN kernels on"
            + " (TF_ENABLE_ONEDNN_OPTS=1)",
        epyc.startLine("1"));
    assertEquals(
        "CPU: AMD EPYC 7B13, AVX2, no AVX-512; TensorFlow oneDNN kernels off"
            + " (TF_ENABLE_ONEDNN_OPTS=False)",
        epyc.startLine("False"));
    assertEquals(
        "CPU: AMD EPYC 7B13, AVX2, no AVX-512; TensorFlow oneDNN kernels"
            + " TF_ENABLE_ONEDNN_OPTS unset: TensorFlow's default (on for x86-64 Linux)",
        epyc.startLine(null));
  }
}
