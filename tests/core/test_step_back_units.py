"""Step back goes back one visible unit (an epoch after epochs, an update
after Step Sample / Mini-batch, a micro-step after a micro-step), says
beforehand where it lands, and keeps its marks within a bounded count."""

from nnsim.core import stepper as stepper_module
from nnsim.core.stepper import MIN_HISTORY

from test_stepper import assert_same_state, setup, state_of


def trained(epochs, batch_size=4, **kw):
    st, _, _ = setup(batch_size=batch_size, optimizer="adam", **kw)
    st.step_epochs(epochs)
    return st


def test_after_many_epochs_at_once_each_press_goes_back_one_epoch():
    st = trained(6)  # one step of six epochs (as a run-mode frame is)
    for k in range(5, -1, -1):
        assert st.step_back_target().text == (f"Back to epoch {k}" if k
                                              else "Back to the start (no epoch trained)")
        st.step_back()
        assert len(st.epoch_results) == k
        assert_same_state(state_of(st), state_of(trained(k)))
    assert not st.can_step_back and st.step_back_target() is None


def test_the_epochs_are_trained_again_with_the_settings_they_ran_with():
    st = trained(4)
    st.config = type(st.config)(**{**st.config.__dict__, "learning_rate": 5.0})  # changed later
    st.step_back()
    assert_same_state(state_of(st), state_of(trained(3)))
    assert st.config.learning_rate == 5.0  # the settings stay what the user set


def test_after_updates_a_press_goes_back_one_update_and_names_it():
    st, _, _ = setup(batch_size=1)
    st.step_epochs(1)
    before = state_of(st)
    next_sample = st.next_indices()[0]
    update = st.updates + 1
    st.step_sample()
    target = st.step_back_target()
    assert target.text == f"Back to before update {update} (sample {next_sample + 1})"
    st.step_back()
    assert_same_state(state_of(st), before)
    assert st.step_back_target().text == "Back to epoch 0" or \
        st.step_back_target().text.startswith("Back to the start")


def test_after_micro_steps_a_press_goes_back_one_micro_step_and_names_it():
    st, _, _ = setup(batch_size=1)
    sample = st.next_indices()[0] + 1
    st.micro_step(), st.micro_step()
    assert st.step_back_target().text == \
        f"Back to before forward layer 2 of update 1 (sample {sample})"
    st.step_back()
    assert st.current().step.label == "Forward layer 1"
    assert st.step_back_target().text == f"Back to before update 1 (sample {sample})"


def test_mid_pass_epoch_step_goes_back_to_the_mid_pass_state():
    st, _, _ = setup(batch_size=2)
    st.micro_step()
    before = state_of(st)
    st.step_epochs(1)  # finishes the pass and the epoch
    assert st.step_back_target().text == "Back to before forward layer 2 of update 1 " \
                                         "(mini-batch of 2)"
    st.step_back()
    assert_same_state(state_of(st), before)


def test_marks_stay_bounded_and_every_press_lands_where_the_tooltip_said(monkeypatch):
    monkeypatch.setattr(stepper_module, "MIN_HISTORY", 50)
    st, _, _ = setup(batch_size=8)  # 5 updates an epoch
    states = {}
    for _ in range(1000):
        states[st.updates] = state_of(st)
        st.step_batch()
    assert len(st._marks) < 2 * 50
    # the last 50 steps are one press each
    for k in range(50):
        st.step_back()
        assert_same_state(state_of(st), states[1000 - 1 - k])
    # further back the marks are sparser: each press lands where it said it would
    presses = 0
    while st.can_step_back:
        target = st.step_back_target()
        st.step_back()
        presses += 1
        assert st.updates + 1 == target.update
        assert_same_state(state_of(st), states[st.updates])
    assert st.updates < 50 and presses < 50  # reaches far back in few presses


def test_parameter_copies_stay_within_the_byte_budget(monkeypatch):
    st, net, _ = setup(batch_size=40, optimizer="adam")
    per_mark = 3 * sum(p.nbytes for p in net.parameters())
    monkeypatch.setattr(stepper_module, "MAX_MARK_BYTES", 10 * per_mark)
    st.step_epochs(30)
    for _ in range(29):  # trained again one epoch at a time, each leaving a mark
        st.step_back()
        assert st._mark_bytes <= 10 * per_mark
    assert len(st.epoch_results) == 1


def test_a_thousand_presses_after_a_thousand_epochs_at_once_each_go_back_one_epoch():
    st, _, _ = setup(batch_size=40)
    start = state_of(st)
    n = MIN_HISTORY
    st.step_epochs(n)
    for k in range(n - 1, -1, -1):
        st.step_back()
        assert len(st.epoch_results) == k
    assert_same_state(state_of(st), start)
    assert not st.can_step_back
