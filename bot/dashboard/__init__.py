"""The staff dashboard at ``/dashboard``: figures of questions, 办不成事 tickets and 好差评, with charts."""
