// looplab/lesson/transcript.hpp
//
// Transcript — a lesson's story told by several actors at once (alice, bob, a server...),
// with the random ids they see (Engine.IO session ids, socket ids, server uids, ports)
// replaced by stable names in --demo, so the story can match its expected.txt:
//
//     lesson::Transcript transcript{options.demo};
//     for (const char* actor : {"alice", "server", "bob"}) transcript.add_actor(actor);
//     transcript.name_id(socket.id(), "sid");          // <sid-1>, <sid-2>... (--demo only)
//     transcript.add("alice", "alice <- " + packet);   // held, ids hidden
//     transcript.flush();                              // alice's lines, then server's, bob's
//
// Why a buffer per actor: when a server broadcasts, several connections have bytes to read in
// the same turn of the loop, and the order in which a poller reports ready sockets is its own
// business (epoll and poll differ). Each actor's lines are in the order that actor saw them;
// printing them actor by actor once a step is over makes the transcript the same on every
// poller without hiding anything.
//
// Unlike LabelBook (labels.hpp: "client A" for an address a lesson prints itself), the names
// here ("<sid-1>") replace ids wherever they appear inside a line: a packet, a JSON payload.
// Used by lessons 18 and 19 (each adds its own helpers in its folder).
//
// Contract: outside --demo nothing is named and every line is printed as it is. Naming an id
// twice is harmless: the first name stays. Lines go out through say_line() (say.hpp).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace looplab::lesson {

class Transcript {
public:
    explicit Transcript(bool demo) : demo_(demo) {}

    bool demo() const { return demo_; }

    // Declares an actor ("alice"); their lines are printed in the order actors were declared.
    void add_actor(std::string name);

    // Gives a random id a stable name in --demo: the first id of kind "sid" becomes <sid-1>,
    // the next <sid-2>... Outside --demo the id stays as it is.
    void name_id(std::string_view id, std::string_view kind);
    // Gives `id` exactly `name` (in --demo): a server's uid is <uid-A>, a port PORT_A.
    void name_id_as(std::string_view id, std::string name);
    // True when `id` has a name (so its bytes are random and hidden in --demo).
    bool is_named(std::string_view id) const;
    // `text` with every named id replaced by its name (--demo only).
    std::string hide_ids(std::string text) const;

    // One line for `actor` (held until a flush); ids hidden.
    void add(std::string_view actor, std::string line);
    // Prints every actor's held lines, actor by actor: `first` (the one who started what the
    // step did) first, then the others in the order they were declared.
    void flush(std::string_view first = {});
    // The same, in the reverse order of declaration (a story told from the last actor's end).
    void flush_reversed();

private:
    struct Actor {
        std::string name;
        std::vector<std::string> lines;
    };
    struct Name {
        std::string id;
        std::string name;
    };
    Actor& actor(std::string_view name);

    bool demo_;
    std::vector<Actor> actors_;   // a lesson has a handful of actors and ids: a scan is enough
    std::vector<Name> names_;
    std::vector<std::pair<std::string, int>> counts_;   // ids named so far, per kind
};

}   // namespace looplab::lesson
