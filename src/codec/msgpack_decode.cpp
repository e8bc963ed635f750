// looplab/codec/msgpack_decode.cpp
//
// The decoder: a cursor over the input and one function per family of first bytes. Before
// any read, has(n) checks that n bytes are really there; before any allocation, a declared
// length is checked against the limits and, for the reservation, against the bytes left. So
// no input can make it read past the end or reserve memory the input does not pay for.
#include "looplab/codec/msgpack.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

namespace looplab::codec::msgpack {

namespace {

class Reader {
public:
    Reader(std::span<const std::uint8_t> bytes, const DecodeLimits& limits)
        : bytes_(bytes), limits_(limits) {}

    // Reads one value into `out`; on anything but Done, stop_at() says where it stopped.
    DecodeStatus read(Value& out, std::size_t depth);

    std::size_t position() const { return at_; }
    std::size_t stop_at() const { return stop_at_; }
    std::int8_t ext_type() const { return ext_type_; }

private:
    bool has(std::size_t n) const { return bytes_.size() - at_ >= n; }

    // The next `width` bytes as a big-endian number (the caller checked has(width)).
    std::uint64_t take_be(std::size_t width) {
        std::uint64_t n = 0;
        for (std::size_t i = 0; i < width; ++i) n = n << 8 | bytes_[at_++];
        return n;
    }

    DecodeStatus stop(DecodeStatus status, std::size_t where) {
        stop_at_ = where;
        return status;
    }
    DecodeStatus need_more() { return stop(DecodeStatus::NeedMore, bytes_.size()); }

    DecodeStatus read_number(std::uint8_t first, Value& out);
    DecodeStatus read_bytes(std::size_t length_width, bool is_binary, Value& out);
    DecodeStatus read_fixstr(std::size_t length, Value& out);
    DecodeStatus read_container(std::size_t count_width, std::size_t fix_count, bool is_map,
                                Value& out, std::size_t depth);
    DecodeStatus read_ext(std::size_t header_width);

    std::span<const std::uint8_t> bytes_;
    const DecodeLimits& limits_;
    std::size_t at_ = 0;
    std::size_t start_ = 0;   // where the value being read began
    std::size_t stop_at_ = 0;
    std::int8_t ext_type_ = 0;
    std::size_t values_read_ = 0;   // every value so far, at every level (max_values)
};

DecodeStatus Reader::read(Value& out, std::size_t depth) {
    if (!has(1)) return need_more();
    if (++values_read_ > limits_.max_values) return stop(DecodeStatus::TooManyValues, at_);
    start_ = at_;
    const std::uint8_t first = bytes_[at_++];
    if (first <= 0x7f) {   // positive fixint
        out = Value{static_cast<int>(first)};
        return DecodeStatus::Done;
    }
    if (first >= 0xe0) {   // negative fixint: the byte is the value, as a signed 8-bit number
        out = Value{static_cast<int>(static_cast<std::int8_t>(first))};
        return DecodeStatus::Done;
    }
    if (first <= 0x8f) return read_container(0, first & 0x0f, true, out, depth);
    if (first <= 0x9f) return read_container(0, first & 0x0f, false, out, depth);
    if (first <= 0xbf) return read_fixstr(first & 0x1f, out);
    switch (first) {
        case 0xc0: out = Value{}; return DecodeStatus::Done;
        case 0xc1: return stop(DecodeStatus::NeverUsedByte, start_);
        case 0xc2: out = Value{false}; return DecodeStatus::Done;
        case 0xc3: out = Value{true}; return DecodeStatus::Done;
        case 0xc4: return read_bytes(1, true, out);
        case 0xc5: return read_bytes(2, true, out);
        case 0xc6: return read_bytes(4, true, out);
        case 0xc7: return read_ext(1);
        case 0xc8: return read_ext(2);
        case 0xc9: return read_ext(4);
        case 0xd4:
        case 0xd5:
        case 0xd6:
        case 0xd7:
        case 0xd8: return read_ext(0);
        case 0xd9: return read_bytes(1, false, out);
        case 0xda: return read_bytes(2, false, out);
        case 0xdb: return read_bytes(4, false, out);
        case 0xdc: return read_container(2, 0, false, out, depth);
        case 0xdd: return read_container(4, 0, false, out, depth);
        case 0xde: return read_container(2, 0, true, out, depth);
        case 0xdf: return read_container(4, 0, true, out, depth);
        default: return read_number(first, out);   // ca-cb floats, cc-d3 integers
    }
}

DecodeStatus Reader::read_number(std::uint8_t first, Value& out) {
    // ca cb: float 32/64; cc-cf: uint 8..64; d0-d3: int 8..64.
    static constexpr std::size_t kWidth[] = {4, 8, 1, 2, 4, 8, 1, 2, 4, 8};
    const std::size_t width = kWidth[first - 0xca];
    if (!has(width)) return need_more();
    const std::uint64_t raw = take_be(width);
    if (first == 0xca) out = Value{std::bit_cast<float>(static_cast<std::uint32_t>(raw))};
    else if (first == 0xcb) out = Value{std::bit_cast<double>(raw)};
    else if (first <= 0xcf) out = Value{static_cast<unsigned long long>(raw)};
    else {   // sign-extend from `width` bytes: shift the sign bit to the top, then back
        const int unused = static_cast<int>(64 - 8 * width);
        out = Value{static_cast<long long>(static_cast<std::int64_t>(raw << unused) >> unused)};
    }
    return DecodeStatus::Done;
}

DecodeStatus Reader::read_fixstr(std::size_t length, Value& out) {
    if (length > limits_.max_string_bytes) return stop(DecodeStatus::StringTooLong, start_);
    if (!has(length)) return need_more();
    out = Value{std::string{reinterpret_cast<const char*>(bytes_.data() + at_), length}};
    at_ += length;
    return DecodeStatus::Done;
}

DecodeStatus Reader::read_bytes(std::size_t length_width, bool is_binary, Value& out) {
    if (!has(length_width)) return need_more();
    const std::uint64_t length = take_be(length_width);
    if (length > limits_.max_string_bytes) return stop(DecodeStatus::StringTooLong, start_);
    if (!has(length)) return need_more();
    std::string data{reinterpret_cast<const char*>(bytes_.data() + at_), length};
    at_ += length;
    out = is_binary ? Value{Binary{std::move(data)}} : Value{std::move(data)};
    return DecodeStatus::Done;
}

DecodeStatus Reader::read_container(std::size_t count_width, std::size_t fix_count, bool is_map,
                                    Value& out, std::size_t depth) {
    const std::size_t header = start_;
    if (!has(count_width)) return need_more();
    const std::uint64_t count = count_width == 0 ? fix_count : take_be(count_width);
    if (count > limits_.max_container_length) return stop(DecodeStatus::ContainerTooLong, header);
    if (depth + 1 > limits_.max_depth) return stop(DecodeStatus::TooDeep, header);

    // Each element takes at least one byte, so the bytes left bound what is worth reserving.
    const std::size_t per_item = is_map ? 2 : 1;
    const auto reserve =
        static_cast<std::size_t>(std::min<std::uint64_t>(count, (bytes_.size() - at_) / per_item));
    if (is_map) {
        Map pairs;
        pairs.reserve(reserve);
        for (std::uint64_t i = 0; i < count; ++i) {
            Value key, item;
            if (auto s = read(key, depth + 1); s != DecodeStatus::Done) return s;
            if (auto s = read(item, depth + 1); s != DecodeStatus::Done) return s;
            pairs.emplace_back(std::move(key), std::move(item));
        }
        out = Value{std::move(pairs)};
    } else {
        Array items;
        items.reserve(reserve);
        for (std::uint64_t i = 0; i < count; ++i) {
            Value item;
            if (auto s = read(item, depth + 1); s != DecodeStatus::Done) return s;
            items.push_back(std::move(item));
        }
        out = Value{std::move(items)};
    }
    return DecodeStatus::Done;
}

// ext 8/16/32 (`header_width` bytes of length) or fixext (0): refused, once its type byte is
// there to name it. The data itself is not needed to say no.
DecodeStatus Reader::read_ext(std::size_t header_width) {
    const std::size_t header = start_;
    if (!has(header_width + 1)) return need_more();
    at_ += header_width;
    ext_type_ = static_cast<std::int8_t>(bytes_[at_]);
    return stop(DecodeStatus::ExtensionUnsupported, header);
}

}   // namespace

std::string_view describe(DecodeStatus status) {
    switch (status) {
        case DecodeStatus::Done: return "a whole value";
        case DecodeStatus::NeedMore: return "the bytes end inside a value";
        case DecodeStatus::NeverUsedByte: return "byte 0xc1, which msgpack never uses";
        case DecodeStatus::ExtensionUnsupported: return "an ext value, which is not supported";
        case DecodeStatus::TooDeep:
            return "arrays and maps nested deeper than the limit (max_depth)";
        case DecodeStatus::ContainerTooLong:
            return "an array or map longer than the limit (max_container_length)";
        case DecodeStatus::StringTooLong:
            return "a str or bin longer than the limit (max_string_bytes)";
        case DecodeStatus::TooManyValues: return "more values in all than the limit (max_values)";
        case DecodeStatus::TrailingBytes: return "bytes after the value";
    }
    return "unknown decode status";
}

DecodeResult decode_prefix(std::span<const std::uint8_t> bytes, const DecodeLimits& limits) {
    Reader reader{bytes, limits};
    DecodeResult result;
    result.status = reader.read(result.value, 0);
    if (result.status == DecodeStatus::Done) {
        result.position = reader.position();
    } else {
        result.value = Value{};   // a half-built value is no value
        result.position = reader.stop_at();
        result.ext_type = reader.ext_type();
    }
    return result;
}

DecodeResult decode_prefix(std::string_view bytes, const DecodeLimits& limits) {
    return decode_prefix(
        std::span{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, limits);
}

Result<Value> decode(std::span<const std::uint8_t> bytes, const DecodeLimits& limits) {
    DecodeResult result = decode_prefix(bytes, limits);
    if (result.status == DecodeStatus::Done && result.position != bytes.size()) {
        result.status = DecodeStatus::TrailingBytes;
    }
    switch (result.status) {
        case DecodeStatus::Done: return std::move(result.value);
        case DecodeStatus::ExtensionUnsupported:
            return Error::because(fmt::format("msgpack: ext type {} is not supported (at byte {})",
                                              result.ext_type, result.position));
        case DecodeStatus::NeedMore:
            return Error::because(fmt::format("msgpack: truncated: {} (at byte {})",
                                              describe(result.status), result.position));
        default:
            return Error::because(
                fmt::format("msgpack: {} (at byte {})", describe(result.status), result.position));
    }
}

Result<Value> decode(std::string_view bytes, const DecodeLimits& limits) {
    return decode(std::span{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()},
                  limits);
}

}   // namespace looplab::codec::msgpack
