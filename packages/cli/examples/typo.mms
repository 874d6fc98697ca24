# Deliberately broken (README: how script errors are reported).
status start
mmap heap 1G
repeat 512
  touch heap i*2M 2M sideways
end
status end
