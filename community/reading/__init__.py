"""Where each reader is in each thread, and what the thread lists show of it.

- A read mark (models.ReadMark): one row per reader per thread (an idea's discussion is a
  thread too) holding the highest post position they have been shown. Opening a thread
  moves it forward with one upsert that never moves it back, so two tabs at once are safe.
- Unread markers in thread and idea lists: the lists are stored pages shared by many
  readers, so a marker is a hole (``per_user('unread', thread_id)``, or ``'unread_idea'``
  with an idea id) filled per response for whoever is looking: "3 new" for a thread they
  read before that has newer visible replies, "New" for one started since they joined that
  they never opened. A visitor gets nothing.
- The mark itself is moved by a hole on the thread's and the idea's page
  (``per_user('read_mark', thread_id)``): holes are filled for every response, a stored
  page's hits included, with the real reader, so no view reads who is looking.
- Last posters: the newest visible post of each listed thread (name, avatar, time), the
  same for every reader and so part of the shared render.
"""
