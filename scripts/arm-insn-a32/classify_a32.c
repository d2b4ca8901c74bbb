/*
 * classify_a32.c - the A32 (32-bit ARM, ARMv7-A) instruction classifier
 * that build.sh puts in place of the A64 one of
 * ../../../shared/tools/arm-insn/plugin/insncount.c, so that its counts
 * work under qemu-arm. Classes keep the plugin's names:
 *   fma_vec_f32     Advanced SIMD VMLA/VMLS/VFMA/VFMS .F32 (vector, by scalar)
 *   fma_scalar      VFP VMLA/VMLS/VNMLA/VNMLS/VFMA/VFMS/VFNMA/VFNMS
 *   simd_vec_other  other Advanced SIMD data processing
 *   fp_scalar_other other VFP data processing, VMOV/VMRS between cores
 *   ldst_simd       VLDn/VSTn, VLDR/VSTR/VLDM/VSTM/VPUSH/VPOP
 *   ldst_gpr        LDR/STR (all sizes), LDM/STM, PLD, exclusives
 *   branch          B, BL, BLX, BX, SVC
 *   other           everything else (integer data processing, ...)
 * The remaining classes (f16, f64, widen, dot) stay zero.
 */
static int classify(uint32_t w)
{
    uint32_t cond = w >> 28, op1 = (w >> 25) & 7;
    if (cond == 0xF) {
        if ((w & 0xFE000000u) == 0xF2000000u) {       /* Advanced SIMD data processing */
            if ((w & 0xFF900F10u) == 0xF2000D10u ||   /* VMLA/VMLS.F32 vector */
                (w & 0xFF900F10u) == 0xF2000C10u ||   /* VFMA/VFMS.F32 vector */
                (w & 0xFEB00B50u) == 0xF2A00140u) {   /* VMLA/VMLS.F32 by scalar */
                return C_FMA_VEC_F32;
            }
            return C_SIMD_VEC_OTHER;
        }
        if ((w & 0xFF100000u) == 0xF4000000u) {       /* element/structure load/store */
            return C_LDST_SIMD;
        }
        if ((w & 0xFD700000u) == 0xF5500000u) {       /* PLD, PLI */
            return C_LDST_GPR;
        }
        if ((w & 0xFE000000u) == 0xFA000000u) {       /* BLX (immediate) */
            return C_BRANCH;
        }
        return C_OTHER;
    }
    switch (op1) {
    case 0:
        if ((w & 0x0FFFFFD0u) == 0x012FFF10u) {       /* BX, BLX (register) */
            return C_BRANCH;
        }
        if ((w & 0x90u) == 0x90u && (w & 0x60u) != 0) { /* LDRH/STRH/LDRD/... */
            return C_LDST_GPR;
        }
        if ((w & 0x0F8000F0u) == 0x01800090u) {       /* LDREX/STREX */
            return C_LDST_GPR;
        }
        return C_OTHER;
    case 1:
        return C_OTHER;
    case 2:
        return C_LDST_GPR;
    case 3:
        return (w & 0x10u) ? C_OTHER : C_LDST_GPR;    /* media vs LDR/STR register */
    case 4:
        return C_LDST_GPR;                            /* LDM/STM */
    case 5:
        return C_BRANCH;                              /* B, BL */
    case 6:
        if ((w & 0x0E00u) == 0x0A00u) {               /* VLDR/VSTR/VLDM/VSTM, VMOV 64-bit */
            return (w & 0x0FE00000u) == 0x0C400000u ? C_FP_SCALAR_OTHER : C_LDST_SIMD;
        }
        return C_OTHER;
    default:
        if (w & (1u << 24)) {
            return C_BRANCH;                          /* SVC */
        }
        if ((w & 0x0E00u) == 0x0A00u) {               /* VFP */
            if ((w & 0x10u) == 0 && ((w & 0x00B00000u) == 0x00000000u ||  /* VMLA/VMLS */
                                     (w & 0x00B00000u) == 0x00100000u ||  /* VNMLA/VNMLS */
                                     (w & 0x00B00000u) == 0x00A00000u ||  /* VFMA/VFMS */
                                     (w & 0x00B00000u) == 0x00900000u)) { /* VFNMA/VFNMS */
                return C_FMA_SCALAR;
            }
            return C_FP_SCALAR_OTHER;
        }
        return C_OTHER;
    }
}
