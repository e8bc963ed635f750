// The live view's server, on its own thread; see looplab/trace/watch_server.hpp.
#include "looplab/trace/watch_server.hpp"

#include "watch_files.hpp"

#include "looplab/codec/json.hpp"
#include "looplab/http/server.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/trace/event_schema.hpp"
#include "looplab/trace/source_view.hpp"
#include "looplab/ws/web_socket_connection.hpp"

#include <fmt/format.h>

#include <deque>
#include <filesystem>
#include <unordered_map>

#include <unistd.h>

namespace looplab::trace {
namespace {

std::string gate_event_fields(const StepGate::Status& status) {
    return gate_fields(name_of(status.mode), name_of(status.step), status.waiting,
                       status.speed.count(), status.stops);
}

}   // namespace

// ---- the watch thread's side ------------------------------------------------------------------

struct WatchServer::Pages final : ws::WebSocketObserver {
    struct Page {
        std::unique_ptr<ws::WebSocketConnection> connection;
        std::uint64_t dropped = 0;   // events this page did not get
        std::uint64_t told = 0;      // how many of those it was told about
    };

    Pages(WatchServer& owner, loop::EventLoop& loop, std::string web_root, std::string source_root)
        : owner(owner), loop(loop), http(loop, [&] {
              http::ServerOptions options;
              options.static_root = std::move(web_root);
              return options;
          }()) {
        http.answer_with([root = std::filesystem::path{std::move(source_root)}](
                             const http::Request& request) -> std::optional<http::Response> {
            if (request.path() == kSourcePath) return source_response(root, request);
            if (request.path() != "/") return std::nullopt;
            http::Response moved{302};
            moved.set_header("Location", "/watch.html");
            return moved;
        });
        http.take_upgrades_with([this](const http::Request& request,
                                       std::unique_ptr<net::TcpConnection> tcp,
                                       std::string leftover) {
            upgrade(request, std::move(tcp), std::move(leftover));
        });
    }

    // Destroying `pages` must not call back into it.
    ~Pages() { dying = true; }
    Pages(const Pages&) = delete;
    Pages& operator=(const Pages&) = delete;

    void upgrade(const http::Request& request, std::unique_ptr<net::TcpConnection> tcp,
                 std::string leftover) {
        if (request.path() != kWatchEventsPath || finishing) {
            tcp->send(http::Response::error(404).set_header("Connection", "close").to_bytes());
            closing.close(std::move(tcp));
            return;
        }
        ws::HandshakePolicy policy;   // only pages from this server may press its buttons
        policy.allowed_origins = {fmt::format("http://localhost:{}", owner.port_),
                                  fmt::format("http://127.0.0.1:{}", owner.port_)};
        ws::WebSocketOptions options;
        options.slow_consumer = ws::SlowConsumerPolicy::Drop;
        options.max_buffered_amount = kWatchPageBacklogMax;
        auto connection = ws::accept_upgrade(loop, request, std::move(tcp), std::move(leftover),
                                             policy, options, &closing);
        if (!connection) return;
        const std::uint64_t id = next_id++;
        connection->socket().set_tag(id);
        connection->socket().set_observer(*this);
        Page& page = pages[id];
        page.connection = std::move(connection);
        page.connection->start();
        // Bring the page up to date: what happened so far, then the gate as it is now.
        deliver();
        std::string chunk;
        std::size_t in_chunk = 0;
        for (const std::string& event : history) {
            chunk += chunk.empty() ? "[" : ",";
            chunk += event;
            if (++in_chunk == kWatchReplayChunk) {
                send(page, chunk + "]", in_chunk);
                chunk.clear();
                in_chunk = 0;
            }
        }
        if (!chunk.empty()) send(page, chunk + "]", in_chunk);
        send(page,
             fmt::format("[{}]", event_json(0, 0, "gate", gate_event_fields(owner.gate_.status()))),
             1);
        owner.page_count_changed(pages.size());
    }

    // Sends one message (a JSON array of `count` events) to one page, or counts it as dropped.
    void send(Page& page, const std::string& message, std::size_t count) {
        ws::WebSocket& socket = page.connection->socket();
        if (page.told != page.dropped) {
            const std::string told = fmt::format(
                "[{}]", event_json(0, 0, "dropped", dropped_fields("page", page.dropped)));
            if (socket.send_text(told)) page.told = page.dropped;
        }
        if (!socket.send_text(message)) {
            page.dropped += count;
            owner.page_drops_.fetch_add(count, std::memory_order_relaxed);
        }
    }

    // Everything the program published since the last call: into the history, then to every page.
    void deliver() {
        EventChannel::Batch batch = owner.channel_.take();
        if (batch.dropped != queue_drops_told) {
            queue_drops_told = batch.dropped;
            owner.publish("dropped", dropped_fields("program", batch.dropped));
        }
        if (batch.events.empty()) return;
        std::string message = "[";
        for (std::string& event : batch.events) {
            if (message.size() > 1) message += ',';
            message += event;
            history.push_back(std::move(event));
        }
        message += ']';
        while (history.size() > kWatchHistoryMax) history.pop_front();
        for (auto& [id, page] : pages) send(page, message, batch.events.size());
    }

    void on_message(ws::WebSocket& /*socket*/, const ws::Message& message) override {
        auto command = codec::json::parse(message.payload);
        if (!command || !command->is_object()) return;
        const codec::json::Value* name = command->find("cmd");
        if (name == nullptr || !name->is_string()) return;
        if (name->as_string() == "speed") {
            const codec::json::Value* ms = command->find("ms");
            if (ms != nullptr && ms->is_int())
                owner.gate_.set_speed(std::chrono::milliseconds{ms->as_int()});
            return;
        }
        owner.gate_.command(name->as_string());   // unknown commands are ignored
    }

    void on_close(ws::WebSocket& socket, const ws::CloseInfo& /*info*/) override {
        if (dying) return;
        pages.erase(socket.tag());   // allowed in a close listener: see WebSocketConnection
        owner.page_count_changed(pages.size());
        if (pages.empty() && !finishing) {
            // A program nobody watches never waits: no page can step it any more.
            owner.gate_.resume();
            owner.gate_.set_speed(std::chrono::milliseconds{0});
        }
        if (finishing && pages.empty()) loop.stop();
    }

    // The program ended: the last events out, the pages closed, then the loop stops.
    void finish() {
        deliver();
        finishing = true;
        http.close();
        loop.set_timeout(std::chrono::duration_cast<Millis>(kWatchFlushLimit),
                         [this] { loop.stop(); });
        if (pages.empty()) {
            loop.stop();
            return;
        }
        for (auto& [id, page] : pages)
            page.connection->socket().close(ws::CloseCode::Normal, "the program ended");
    }

    WatchServer& owner;
    loop::EventLoop& loop;
    ws::ClosingConnections closing;
    http::Server http;
    std::unordered_map<std::uint64_t, Page> pages;
    std::deque<std::string> history;
    std::uint64_t next_id = 1;
    std::uint64_t queue_drops_told = 0;
    bool finishing = false;
    bool dying = false;
};

// ---- the program's side -----------------------------------------------------------------------

WatchServer::WatchServer(WatchOptions options)
    : options_(std::move(options)), gate_(options_.start) {
    gate_.set_speed(options_.speed);
}

Result<std::unique_ptr<WatchServer>> WatchServer::start(WatchOptions options) {
    std::string web_root = options.web_root;
    if (web_root.empty()) {
        auto found = find_watch_web_root();
        if (!found)
            return Error::because(
                "--watch: cannot find src/web/watch.html (run from the looplab folder, or set "
                "LOOPLAB_WEB_ROOT to the folder that holds it)");
        web_root = *found;
    }
    std::string source_root =
        options.source_root.empty() ? source_root_of(web_root) : options.source_root;
    std::unique_ptr<WatchServer> server{new WatchServer(std::move(options))};
    server->gate_.set_on_change([raw = server.get()](const StepGate::Status& status) {
        raw->publish("gate", gate_event_fields(status));
    });
    std::promise<Status> started;
    auto listening = started.get_future();
    server->thread_ = std::thread([raw = server.get(), web_root, source_root, &started] {
        raw->run(web_root, source_root, &started);
    });
    if (auto ready = listening.get(); !ready) {
        server->thread_.join();
        return ready.error();
    }
    server->publish("hello", hello_fields(server->options_.program, server->options_.poller,
                                          static_cast<long>(::getpid())));
    server->publish("gate", gate_event_fields(server->gate_.status()));
    return server;
}

void WatchServer::run(std::string web_root, std::string source_root,
                      std::promise<Status>* started) {
    loop::EventLoop loop;
    Pages pages{*this, loop, std::move(web_root), std::move(source_root)};
    if (auto listened = pages.http.listen(net::Address::loopback(options_.port)); !listened) {
        started->set_value(Error::because(fmt::format("--watch: listen on 127.0.0.1:{}: {}",
                                                      options_.port, listened.error().message())));
        return;
    }
    port_ = pages.http.local_address().port();
    {
        const std::lock_guard lock{mutex_};
        loop_ = &loop;
        pages_ = &pages;
    }
    started->set_value(Ok{});   // `started` is gone after this line
    const auto keep_turning = loop.hold();
    if (auto ran = loop.run(); !ran)
        fmt::print(stderr, "looplab: the watch server stopped: {}\n", ran.error().message());
    const std::lock_guard lock{mutex_};
    loop_ = nullptr;
    pages_ = nullptr;
}

void WatchServer::wake() {
    const std::lock_guard lock{mutex_};
    if (loop_ == nullptr) return;
    Pages* pages = pages_;
    loop_->post_next([pages] { pages->deliver(); });
}

void WatchServer::publish(std::string_view kind, std::string_view fields) {
    if (channel_.publish(kind, fields)) wake();
}

void WatchServer::page_count_changed(std::size_t count) {
    {
        const std::lock_guard lock{mutex_};
        pages_open_ = count;
    }
    page_opened_.notify_all();
}

bool WatchServer::wait_for_page(std::optional<std::chrono::milliseconds> limit) {
    std::unique_lock lock{mutex_};
    const auto opened = [&] { return pages_open_ > 0; };
    if (!limit) {
        page_opened_.wait(lock, opened);
        return true;
    }
    return page_opened_.wait_for(lock, *limit, opened);
}

std::size_t WatchServer::page_count() const {
    const std::lock_guard lock{mutex_};
    return pages_open_;
}

WatchServer::~WatchServer() {
    gate_.release();
    publish("end", end_fields("the program ended"));
    {
        const std::lock_guard lock{mutex_};
        if (loop_ != nullptr) {
            Pages* pages = pages_;
            loop_->post_next([pages] { pages->finish(); });
        }
    }
    if (thread_.joinable()) thread_.join();
    gate_.set_on_change(nullptr);
}

}   // namespace looplab::trace
