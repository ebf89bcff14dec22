#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64d_e2e_nooffload.sh — the same end-to-end checks as nat64d_e2e.sh
# with "offload no": plain TUN (no virtio_net_hdr, no TSO/USO, no UDP
# coalescing), the path every packet takes on kernels without offloads.
ND_OFFLOAD=no exec bash "$(dirname "$0")/nat64d_e2e.sh"
