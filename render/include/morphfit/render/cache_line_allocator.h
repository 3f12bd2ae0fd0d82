#pragma once

#include <cstddef>
#include <new>

namespace morphfit::render {

// Allocates on 64-byte (cache-line) boundaries. The rasterizer reads and writes the planes in
// blocks of 8 floats at multiples of 8 pixels; on the 16-byte boundary a plain std::vector of
// that size gets, every other 32-byte store would straddle two cache lines.
template <typename T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlignment{64};
  CacheLineAllocator() = default;
  template <typename U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}  // NOLINT: rebinding is implicit
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlignment)); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, kAlignment); }
  friend bool operator==(const CacheLineAllocator&, const CacheLineAllocator&) { return true; }
  friend bool operator!=(const CacheLineAllocator&, const CacheLineAllocator&) { return false; }
};

}  // namespace morphfit::render
