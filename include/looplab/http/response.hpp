// looplab/http/response.hpp
//
// Response — what the server answers: a status, headers and a body, turned into the exact
// bytes of an HTTP/1.1 response.
// Teaches: the shape of an answer on the wire, and why Content-Length matters: on a
// keep-alive connection it is the only way the client knows where this answer ends.
//
//     HTTP/1.1 404 Not Found\r\n                  status line: version, code, reason phrase
//     Content-Type: text/plain; charset=utf-8\r\n  headers, in the order they were set
//     Content-Length: 14\r\n                      always written by to_bytes()
//     \r\n                                        the empty line ends the head
//     404 Not Found\n                             the body: exactly Content-Length bytes
//
// Contract: Content-Length is computed from the body; setting it (or Transfer-Encoding) by
// hand is a bug and aborts. 1xx, 204 and 304 responses have no body and no Content-Length
// (RFC 9110 §8.6), so a 101 WebSocket handshake answer comes out right. No Date header is
// added: the output depends only on what was set, so lesson transcripts stay stable.
#pragma once

#include "looplab/http/request.hpp"

#include <string>

namespace looplab::http {

class Response {
public:
    // `status` must be 100-599.
    explicit Response(int status = 200);

    // A short plain-text error page (4xx or 5xx): error(413) has the body
    // "413 Content Too Large\n". The server adds "Connection: close" when it will hang up.
    static Response error(int status);

    // Both return *this, so calls chain. `name` must be a token. CR, LF and NUL in `value`
    // become spaces: a value built from client input can never start a header of its own.
    Response& set_header(std::string name, std::string value);   // replaces same-named ones
    Response& add_header(std::string name, std::string value);   // keeps them (Set-Cookie)

    // Sets the body and its Content-Type in one go, so a body never goes out unlabelled.
    Response& set_body(std::string body, std::string content_type);

    int status() const { return status_; }
    const Headers& headers() const { return headers_; }
    const std::string& body() const { return body_; }

    // The complete response: head, then body.
    std::string to_bytes() const;

    // The answer to a HEAD request: the same head as to_bytes(), Content-Length included
    // (RFC 9110 §9.3.2: it tells the client how big a GET would be), but no body bytes.
    std::string to_bytes_for_head() const;

private:
    bool may_have_body() const;   // false for 1xx, 204 and 304
    std::string head() const;

    int status_;
    Headers headers_;
    std::string body_;
};

}   // namespace looplab::http
