# (The directory is not named update-dns64/: the binary $(BUILD)/update-dns64
# and the object directory $(BUILD)/DIR/ would be the same path.)
# updatedns64/: update-dns64, writes BIND's (or Unbound's, PowerDNS
# Recursor's) DNS64 prefixes and reloads the resolver.
$(eval $(call nk_program,update-dns64,updatedns64,))
SBIN_PROGS += update-dns64
