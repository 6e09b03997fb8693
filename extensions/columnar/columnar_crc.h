/*-------------------------------------------------------------------------
 *
 * columnar_crc.h
 *	  CRC-32C of chunk bytes, as PostgreSQL's INIT/COMP/FIN_CRC32C compute
 *	  it, faster on long buffers (columnar_crc.c).  Portable C.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_CRC_H
#define COLUMNAR_CRC_H

#include <stddef.h>
#include <stdint.h>

/* The finished CRC-32C of len bytes. */
extern uint32_t columnar_crc32c(const void *data, size_t len);

/* One bit at a time from a running state (no initial or final xor). */
extern uint32_t columnar_crc32c_bytewise(uint32_t state, const void *data, size_t len);

#endif							/* COLUMNAR_CRC_H */
