import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  /** Words for the fallback, already in the person's language. */
  words: () => { title: string; hint: string; reload: string };
}

/** The last line of defence: a render error shows a way out, never a blank window. */
export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('Promptroom renderer crashed', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    const words = this.props.words();
    return (
      <div className="splash" role="alert" data-testid="app-crashed">
        <h1>{words.title}</h1>
        <p className="muted">{words.hint}</p>
        <pre className="crash-detail">{this.state.error.message}</pre>
        <button className="button primary" onClick={() => window.location.reload()}>
          {words.reload}
        </button>
      </div>
    );
  }
}
