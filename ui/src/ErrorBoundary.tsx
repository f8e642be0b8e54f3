import { Component, type ReactNode } from "react";

type Props = {
  children: ReactNode;
  label: string;
  /** A change of this value (new data) clears a shown error, so the screen is tried again. */
  resetKey?: unknown;
};
type State = { error: Error | null };

/** Keeps one failing screen from blanking the window: shows what broke and a way back. */
export class ErrorBoundary extends Component<Props, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidUpdate(previous: Props) {
    if (this.state.error && previous.resetKey !== this.props.resetKey) this.setState({ error: null });
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="card crash" role="alert" data-testid="screen-crash">
        <h2>{this.props.label} could not be shown</h2>
        <p className="muted small">{this.state.error.message}</p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
