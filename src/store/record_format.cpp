// looplab/store/record_format.cpp — the bytes of a log file; the picture is in
// record_format.hpp. Numbers are written byte by byte, little-endian, so the file reads the
// same on any CPU.
#include "looplab/store/record_format.hpp"

#include "looplab/codec/crc32c.hpp"

#include <cstring>

namespace looplab::store {
namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'L', 'O', 'O', 'P', 'L', 'O', 'G', '1'};

void put_u32(std::uint32_t value, std::uint8_t* out) {
    for (int i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

void put_u64(std::uint64_t value, std::uint8_t* out) {
    for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

std::uint32_t get_u32(const std::uint8_t* in) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value |= std::uint32_t{in[i]} << (8 * i);
    return value;
}

std::uint64_t get_u64(const std::uint8_t* in) {
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value |= std::uint64_t{in[i]} << (8 * i);
    return value;
}

std::string_view text_at(const std::uint8_t* at, std::size_t size) {
    return {reinterpret_cast<const char*>(at), size};
}

}   // namespace

std::size_t encoded_size(std::string_view key, std::string_view value) {
    return kStoreRecordHeaderBytes + kStoreRecordFixedBodyBytes + key.size() + value.size();
}

void encode_record(const RecordView& record, std::vector<std::uint8_t>& out) {
    const std::size_t start = out.size();
    const std::size_t body_size =
        kStoreRecordFixedBodyBytes + record.key.size() + record.value.size();
    out.resize(start + kStoreRecordHeaderBytes + body_size);
    std::uint8_t* at = out.data() + start;

    put_u32(static_cast<std::uint32_t>(body_size), at + 4);
    put_u64(record.offset, at + 8);
    put_u64(static_cast<std::uint64_t>(record.unix_ms), at + 16);
    put_u32(static_cast<std::uint32_t>(record.key.size()), at + 24);
    if (!record.key.empty()) std::memcpy(at + 28, record.key.data(), record.key.size());
    if (!record.value.empty())
        std::memcpy(at + 28 + record.key.size(), record.value.data(), record.value.size());

    // Last: the CRC of everything after it, the length included.
    put_u32(codec::crc32c(std::span<const std::uint8_t>{at + 4, 4 + body_size}), at);
}

std::string_view describe(RecordProblem problem) {
    switch (problem) {
        case RecordProblem::None: return "no problem";
        case RecordProblem::LengthTooSmall: return "length too small for a record";
        case RecordProblem::LengthTooLarge: return "length larger than any record";
        case RecordProblem::ChecksumMismatch: return "checksum mismatch";
        case RecordProblem::KeyLongerThanBody: return "key length past the end of the record";
        case RecordProblem::OffsetOutOfOrder: return "offset not after the previous record's";
    }
    return "unknown problem";
}

Decoded decode_record(std::span<const std::uint8_t> bytes) {
    Decoded decoded;
    if (bytes.size() < kStoreRecordHeaderBytes) {   // not even the header: cut short
        decoded.size = kStoreRecordHeaderBytes;
        return decoded;
    }
    const std::uint32_t stored_crc = get_u32(bytes.data());
    const std::uint32_t body_size = get_u32(bytes.data() + 4);

    // The length is checked before it is used: a damaged length must not make us wait for
    // (or allocate) gigabytes.
    if (body_size < kStoreRecordFixedBodyBytes || body_size > kStoreMaxBodyBytes) {
        decoded.status = DecodeStatus::Corrupt;
        decoded.problem = body_size < kStoreRecordFixedBodyBytes ? RecordProblem::LengthTooSmall
                                                                 : RecordProblem::LengthTooLarge;
        return decoded;
    }
    const std::size_t total = kStoreRecordHeaderBytes + body_size;
    if (bytes.size() < total) {
        decoded.size = total;
        return decoded;
    }
    decoded.size = total;   // from here on the length is believable
    if (codec::crc32c(bytes.subspan(4, 4 + body_size)) != stored_crc) {
        decoded.status = DecodeStatus::Corrupt;
        decoded.problem = RecordProblem::ChecksumMismatch;
        return decoded;
    }
    const std::uint8_t* body = bytes.data() + kStoreRecordHeaderBytes;
    const std::uint32_t key_size = get_u32(body + 16);
    if (key_size > body_size - kStoreRecordFixedBodyBytes) {   // a bug in a writer, not damage
        decoded.status = DecodeStatus::Corrupt;
        decoded.problem = RecordProblem::KeyLongerThanBody;
        return decoded;
    }
    decoded.status = DecodeStatus::Complete;
    decoded.record.offset = get_u64(body);
    decoded.record.unix_ms = static_cast<std::int64_t>(get_u64(body + 8));
    decoded.record.key = text_at(body + kStoreRecordFixedBodyBytes, key_size);
    decoded.record.value = text_at(body + kStoreRecordFixedBodyBytes + key_size,
                                   body_size - kStoreRecordFixedBodyBytes - key_size);
    return decoded;
}

std::array<std::uint8_t, kStoreFileHeaderBytes> encode_file_header(Offset base) {
    std::array<std::uint8_t, kStoreFileHeaderBytes> header{};
    std::memcpy(header.data(), kMagic.data(), kMagic.size());
    put_u64(base, header.data() + 8);
    put_u32(kStoreFormatVersion, header.data() + 16);
    put_u32(codec::crc32c(std::span<const std::uint8_t>{header.data(), 20}), header.data() + 20);
    return header;
}

DecodedHeader decode_file_header(std::span<const std::uint8_t> bytes) {
    DecodedHeader decoded;
    if (bytes.size() < kStoreFileHeaderBytes) return decoded;
    if (std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0) return decoded;
    if (codec::crc32c(bytes.first(20)) != get_u32(bytes.data() + 20)) return decoded;
    decoded.version = get_u32(bytes.data() + 16);
    if (decoded.version != kStoreFormatVersion) {
        decoded.problem = HeaderProblem::UnknownVersion;
        return decoded;
    }
    decoded.problem = HeaderProblem::None;
    decoded.base = get_u64(bytes.data() + 8);
    return decoded;
}

}   // namespace looplab::store
