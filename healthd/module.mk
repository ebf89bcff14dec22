# healthd/: nat64-healthd, keeps BIND's DNS64 on the healthiest NAT64 prefixes.
$(eval $(call nk_program,nat64-healthd,healthd,))
SBIN_PROGS += nat64-healthd
