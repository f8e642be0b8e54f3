import { Component, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

type Props = {
  children: ReactNode;
  /** The name of what is shown (a section's name, already in the UI's language). */
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
      <Crash label={this.props.label} message={this.state.error.message} onRetry={() => this.setState({ error: null })} />
    );
  }
}

/** What broke, in the UI's language (a class component cannot use the translation hook). */
function Crash({ label, message, onRetry }: { label: string; message: string; onRetry: () => void }) {
  const { t } = useTranslation("app", { keyPrefix: "errorBoundary" });
  return (
    <div className="card crash" role="alert" data-testid="screen-crash">
      <h2>{t("title", { label })}</h2>
      <p className="muted small">{message}</p>
      <button type="button" onClick={onRetry}>
        {t("tryAgain")}
      </button>
    </div>
  );
}
